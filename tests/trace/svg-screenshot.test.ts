/**
 * The SVG renders in a real browser without scripts: headless Chromium takes
 * a screenshot of a chart file, and of every corpus trace's chart (stacked in
 * one page, one Chromium run); each picture is not blank and shows one
 * vertical lifeline per thread, the kernel and each pager.
 *
 * Chromium is a Debian package that .ci/run installs: with CI=true a missing
 * chromium fails the test; elsewhere the test is skipped with a message.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { lifelinesOf } from "../../trace/chart.js";
import { loadTrace } from "../../trace/load.js";
import { LIFELINE_COLOR, formatTraceSvg, svgGeometry, type SvgGeometry } from "../../trace/svg.js";
import { decodePng, type Image } from "./png.js";

function findChromium(): string | undefined {
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
    if (found.status === 0 && found.stdout.trim() !== "") return found.stdout.trim();
  }
  return undefined;
}

const chromium = findChromium();
const inCi = process.env["CI"] === "true";
if (chromium === undefined && !inCi) console.warn("svg-screenshot: chromium not found, skipping the screenshot test (apt-get install chromium; CI requires it)");

function screenshot(svgPath: string, width: number, height: number): Image {
  const dir = mkdtempSync(join(tmpdir(), "multipager-chromium-"));
  const png = join(dir, "shot.png");
  execFileSync(
    chromium!,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--hide-scrollbars",
      `--user-data-dir=${join(dir, "profile")}`,
      `--screenshot=${png}`,
      `--window-size=${width},${height}`,
      `file://${svgPath}`,
    ],
    { stdio: "pipe", timeout: 60_000 },
  );
  return decodePng(readFileSync(png));
}

const hex = (color: string) => [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));

/** Runs of lifeline-coloured pixels along one row: the x centre of each vertical line that crosses it. */
function lifelinesAt(image: Image, y: number): number[] {
  const [r, g, b] = hex(LIFELINE_COLOR);
  const xs: number[] = [];
  let runStart = -1;
  for (let x = 0; x <= image.width; x++) {
    const i = (y * image.width + x) * 4;
    const on = x < image.width && Math.abs(image.pixels[i]! - r!) <= 24 && Math.abs(image.pixels[i + 1]! - g!) <= 24 && Math.abs(image.pixels[i + 2]! - b!) <= 24;
    if (on && runStart < 0) runStart = x;
    if (!on && runStart >= 0) {
      xs.push((runStart + x - 1) / 2);
      runStart = -1;
    }
  }
  return xs;
}

function distinctColours(image: Image): number {
  const colours = new Set<number>();
  for (let i = 0; i < image.pixels.length; i += 4 * 7) colours.add((image.pixels[i]! << 16) | (image.pixels[i + 1]! << 8) | image.pixels[i + 2]!);
  return colours.size;
}

const files = readdirSync("tests/traces").filter((name) => name.endsWith(".itf.json")).sort();
const run = chromium !== undefined || inCi ? describe : describe.skip;

/** Every corpus chart, stacked in one page (nested <svg>s), so one Chromium run screenshots them all. */
function stackedCharts(): { page: string; width: number; height: number; charts: { file: string; top: number; geometry: SvgGeometry; lifelines: number }[] } {
  let top = 0;
  let width = 0;
  const parts: string[] = [];
  const charts = files.map((file) => {
    const { trace, id } = loadTrace(join("tests/traces", file));
    const geometry = svgGeometry(trace);
    const svg = formatTraceSvg(trace, id).replace("<svg ", `<svg x="0" y="${top}" `);
    parts.push(svg);
    const chart = { file, top, geometry, lifelines: lifelinesOf(trace).length };
    top += geometry.height;
    width = Math.max(width, geometry.width);
    return chart;
  });
  const page = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top}" viewBox="0 0 ${width} ${top}">\n${parts.join("")}</svg>\n`;
  return { page, width, height: top, charts };
}

/** The share of non-white pixels in a band of rows. */
function ink(image: Image, top: number, height: number): number {
  let dark = 0;
  for (let y = top; y < top + height; y++) {
    for (let x = 0; x < image.width; x++) {
      const i = (y * image.width + x) * 4;
      if (image.pixels[i]! + image.pixels[i + 1]! + image.pixels[i + 2]! < 600) dark++;
    }
  }
  return dark / (image.width * height);
}

run("SVG sequence chart in headless Chromium", () => {
  test("chromium is installed (CI installs it with .ci/run)", () => {
    expect(chromium, "chromium not found: apt-get install chromium").toBeDefined();
  });

  test("a chart file as `trace show --format svg` writes it renders: not blank, one lifeline per thread, the kernel and each pager", () => {
    const { trace, id } = loadTrace("tests/traces/impl-no-present-recheck.itf.json");
    const dir = mkdtempSync(join(tmpdir(), "multipager-svg-"));
    const svgPath = join(dir, "chart.svg");
    writeFileSync(svgPath, formatTraceSvg(trace, id));
    const geometry = svgGeometry(trace);
    const image = screenshot(svgPath, geometry.width, geometry.height);
    expect([image.width, image.height]).toEqual([geometry.width, geometry.height]);
    expect(distinctColours(image)).toBeGreaterThan(20);
    expect(ink(image, 0, image.height)).toBeGreaterThan(0.02);
    // Fig. 3's configuration: threads A and B, the kernel, the pager.
    expect(lifelinesOf(trace).map((l) => l.title)).toEqual(["thread 1", "thread 2", "kernel", "pager 0"]);
    const found = lifelinesAt(image, geometry.tailY);
    expect(found).toHaveLength(4);
    found.forEach((x, index) => expect(Math.abs(x - geometry.lifelineXs[index]!)).toBeLessThanOrEqual(1.5));
  });

  test("every corpus trace's chart renders: not blank, the expected number of lifelines", () => {
    const { page, width, height, charts } = stackedCharts();
    const dir = mkdtempSync(join(tmpdir(), "multipager-svg-"));
    const svgPath = join(dir, "corpus.svg");
    writeFileSync(svgPath, page);
    const image = screenshot(svgPath, width, height);
    expect([image.width, image.height]).toEqual([width, height]);
    expect(charts.length).toBe(files.length);
    for (const chart of charts) {
      expect(ink(image, chart.top, chart.geometry.height), chart.file).toBeGreaterThan(0.02);
      expect(chart.lifelines, chart.file).toBeGreaterThanOrEqual(3);
      const found = lifelinesAt(image, chart.top + chart.geometry.tailY);
      expect(found, chart.file).toHaveLength(chart.lifelines);
      found.forEach((x, index) => expect(Math.abs(x - chart.geometry.lifelineXs[index]!), chart.file).toBeLessThanOrEqual(1.5));
    }
  });

  test("a blank picture has no ink and no lifelines (the detector is not fooled)", () => {
    const dir = mkdtempSync(join(tmpdir(), "multipager-svg-"));
    const svgPath = join(dir, "blank.svg");
    writeFileSync(svgPath, `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200"><rect width="400" height="200" fill="#ffffff"/></svg>\n`);
    const image = screenshot(svgPath, 400, 200);
    expect(distinctColours(image)).toBeLessThanOrEqual(2);
    expect(ink(image, 0, 200)).toBe(0);
    expect(lifelinesAt(image, 100)).toHaveLength(0);
  });
});
