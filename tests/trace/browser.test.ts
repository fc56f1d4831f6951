/**
 * Every corpus trace rendered in a real browser, in one headless Chromium
 * session:
 *  - its SVG chart: no two texts' bounding boxes intersect, no text crosses
 *    an arrowhead, every text stays inside its box and inside the picture
 *    (measured by the browser's own layout, getBBox); a screenshot is not
 *    blank and shows one vertical lifeline per lifeline of the chart;
 *  - the Mermaid block of its Markdown (as a GFM renderer extracts it),
 *    rendered by the real Mermaid (node_modules/mermaid, loaded from disk):
 *    it parses, and draws every participant, message and note we wrote.
 * Each check is also shown failing on a picture made to break it.
 */
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { chartOf, isNote } from "../../trace/chart.js";
import { loadTrace } from "../../trace/load.js";
import { formatTraceMarkdown } from "../../trace/markdown.js";
import { LIFELINE_COLOR, formatTraceSvg, svgGeometry } from "../../trace/svg.js";
import { Chromium, findChromium, type Page } from "./chromium.js";
import { codeBlocks, renderGfm } from "./gfm.js";
import { decodePng, type Image } from "./png.js";

const chromium = findChromium();
const inCi = process.env["CI"] === "true";
if (chromium === undefined && !inCi) console.warn("browser tests: chromium not found, skipping them (apt-get install chromium; CI requires it)");
const run = chromium !== undefined || inCi ? describe : describe.skip;

const DIR = "tests/traces";
const files = readdirSync(DIR).filter((name) => name.endsWith(".itf.json")).sort();
const corpus = files.map((file) => ({ file, ...loadTrace(join(DIR, file)) }));
const work = mkdtempSync(join(tmpdir(), "multipager-browser-"));

interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}
interface Measured {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly texts: readonly (Box & { readonly text: string; readonly cls: string; readonly box: Box | null })[];
  readonly heads: readonly Box[];
}

/** The page-side measurement: every text's and arrowhead's bounding box in the SVG's own coordinates. */
const MEASURE = `(() => [...document.querySelectorAll("svg[data-name]")].map((svg) => {
  const box = (b) => ({ x: b.x, y: b.y, w: b.width, h: b.height });
  return {
    name: svg.dataset.name,
    width: svg.width.baseVal.value,
    height: svg.height.baseVal.value,
    texts: [...svg.querySelectorAll("text")].map((t) => {
      const group = t.closest("g.box");
      return { ...box(t.getBBox()), text: t.textContent, cls: t.getAttribute("class"), box: group ? box(group.querySelector("rect").getBBox()) : null };
    }),
    heads: [...svg.querySelectorAll("path.arrowhead")].map((p) => box(p.getBBox())),
  };
}))()`;

/** Overlap beyond half a pixel in both directions (glyph boxes that merely touch do not count). */
const intersect = (a: Box, b: Box): boolean => Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x) > 0.5 && Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y) > 0.5;
const inside = (a: Box, b: Box): boolean => a.x >= b.x - 0.5 && a.y >= b.y - 0.5 && a.x + a.w <= b.x + b.w + 0.5 && a.y + a.h <= b.y + b.h + 0.5;

/** Every collision in one measured picture, in words. */
function collisions(m: Measured): string[] {
  const found: string[] = [];
  const texts = m.texts.filter((t) => t.w > 0);
  texts.forEach((a, i) => {
    for (const b of texts.slice(i + 1)) if (intersect(a, b)) found.push(`"${a.text}" overlaps "${b.text}"`);
    for (const head of m.heads) if (intersect(a, head)) found.push(`"${a.text}" crosses an arrowhead at (${head.x}, ${head.y})`);
    if (a.box !== null && !inside(a, a.box)) found.push(`"${a.text}" runs out of its box`);
    if (!inside(a, { x: 0, y: 0, w: m.width, h: m.height })) found.push(`"${a.text}" runs out of the picture`);
  });
  return found;
}

let pages = 0;

async function measure(page: Page, pictures: readonly { name: string; svg: string }[]): Promise<Measured[]> {
  const html = join(work, `measure-${++pages}.html`);
  const body = pictures.map(({ name, svg }) => `<div>${svg.replace("<svg ", `<svg data-name="${name}" `)}</div>`).join("\n");
  writeFileSync(html, `<!doctype html><html><head><meta charset="utf-8"><style>body{margin:0}div{line-height:0}</style></head><body>${body}</body></html>`);
  await page.goto(pathToFileURL(html).href);
  return page.evaluate<Measured[]>(MEASURE);
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

run("rendered in headless Chromium", () => {
  let browser: Chromium;
  let page: Page;
  beforeAll(async () => {
    expect(chromium, "chromium not found: apt-get install chromium (.ci/run installs it)").toBeDefined();
    browser = await Chromium.launch(chromium!);
    page = await browser.newPage();
  });
  afterAll(async () => browser?.close());

  describe("SVG charts", () => {
    test("every corpus chart: no label over another label or an arrowhead, none out of its box or the picture", async () => {
      const measured = await measure(page, corpus.map(({ file, trace, id }) => ({ name: file, svg: formatTraceSvg(trace, id) })));
      expect(measured.map((m) => m.name)).toEqual(files);
      for (const [index, m] of measured.entries()) {
        expect(m.texts.length, m.name).toBeGreaterThan(10);
        if (corpus[index]!.trace.steps.length > 1) expect(m.heads.length, m.name).toBeGreaterThan(0);
        expect(collisions(m), m.name).toEqual([]);
      }
    });

    test("the check can fail: overlapping labels, a label on an arrowhead and text out of its box are found", async () => {
      const broken = `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="120" font-family="DejaVu Sans" font-size="12">
<text x="10" y="20">first label</text><text x="30" y="24">second label</text>
<path class="arrowhead" d="M200,60 L190,56 L190,64 z"/><text x="170" y="64">on the head</text>
<g class="box"><rect x="10" y="80" width="20" height="20"/><text x="12" y="94">too wide for it</text></g></svg>`;
      const [m] = await measure(page, [{ name: "broken", svg: broken }]);
      const found = collisions(m!);
      expect(found).toContain('"first label" overlaps "second label"');
      expect(found.some((f) => f.startsWith('"on the head" crosses an arrowhead'))).toBe(true);
      expect(found).toContain('"too wide for it" runs out of its box');
    });

    test("a screenshot of every chart is not blank and shows one vertical lifeline per lifeline, where the layout put it", async () => {
      let top = 0;
      let width = 0;
      const stacked = corpus.map(({ file, trace, id }) => {
        const geometry = svgGeometry(trace, id);
        const svg = formatTraceSvg(trace, id).replace("<svg ", `<svg x="0" y="${top}" `);
        const entry = { file, top, geometry, lifelines: chartOf(trace).lifelines.length, svg };
        top += geometry.height;
        width = Math.max(width, geometry.width);
        return entry;
      });
      const page2 = join(work, "stacked.svg");
      writeFileSync(page2, `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top}" viewBox="0 0 ${width} ${top}">\n${stacked.map((s) => s.svg).join("")}</svg>\n`);
      await page.goto(pathToFileURL(page2).href);
      const image = decodePng(await page.screenshot(width, top));
      expect([image.width, image.height]).toEqual([width, top]);
      for (const chart of stacked) {
        expect(ink(image, chart.top, chart.geometry.height), chart.file).toBeGreaterThan(0.02);
        expect(chart.lifelines, chart.file).toBeGreaterThanOrEqual(3);
        const found = lifelinesAt(image, chart.top + chart.geometry.tailY);
        expect(found, chart.file).toHaveLength(chart.lifelines);
        found.forEach((x, index) => expect(Math.abs(x - chart.geometry.lifelineXs[index]!), chart.file).toBeLessThanOrEqual(1.5));
      }
      // The detector is not fooled by a blank picture.
      expect(lifelinesAt(image, 0)).toHaveLength(0);
    });
  });

  describe("Mermaid", () => {
    let mermaidReady = false;
    const render = (text: string) =>
      page.evaluate<{ ok: true; participants: number; messages: string[]; notes: string[]; loops: number } | { ok: false; error: string }>(`(async () => {
        try {
          const { svg } = await mermaid.render("d" + (window.diagrams = (window.diagrams || 0) + 1), ${JSON.stringify(text)});
          const holder = document.createElement("div");
          holder.innerHTML = svg;
          document.body.append(holder);
          const texts = (selector) => [...holder.querySelectorAll(selector)].map((e) => e.textContent);
          const result = { ok: true, participants: holder.querySelectorAll("text.actor").length / 2, messages: texts("text.messageText"), notes: texts("text.noteText"), loops: holder.querySelectorAll("text.loopText").length };
          holder.remove();
          return result;
        } catch (error) {
          return { ok: false, error: String(error && error.message || error) };
        }
      })()`);

    beforeAll(async () => {
      const script = createRequire(import.meta.url).resolve("mermaid/dist/mermaid.min.js");
      const html = join(work, "mermaid.html");
      writeFileSync(html, `<!doctype html><html><head><meta charset="utf-8"><script src="${pathToFileURL(script).href}"></script></head><body></body></html>`);
      await page.goto(pathToFileURL(html).href);
      await page.evaluate(`mermaid.initialize({ startOnLoad: false, securityLevel: "strict" }), true`);
      mermaidReady = true;
    });

    test("every corpus trace's diagram, taken from its Markdown by the GFM renderer, renders whole", async () => {
      expect(mermaidReady).toBe(true);
      for (const { file, trace, id } of corpus) {
        const [block] = codeBlocks(renderGfm(formatTraceMarkdown(trace, id)), "mermaid");
        const result = await render(block!);
        if (!result.ok) throw new Error(`${file}: Mermaid cannot render it: ${result.error}`);
        const chart = chartOf(trace);
        const events = [...chart.steps.flatMap((s) => s.events), ...chart.finalNotes];
        expect(result.participants, file).toBe(chart.lifelines.length);
        expect(result.messages.length, file).toBe(events.filter((e) => !isNote(e)).length);
        for (const event of events.filter((e) => !isNote(e))) expect(result.messages.some((m) => m.endsWith(event.label)), `${file}: ${event.label}`).toBe(true);
        // Every note of the chart, a stuttering end and the violation.
        expect(result.notes.length, file).toBe(events.filter(isNote).length + (chart.lasso?.kind === "stutter" ? 1 : 0) + 1);
        expect(result.loops, file).toBe(chart.lasso?.kind === "cycle" ? 1 : 0);
      }
    });

    test("the check can fail: a broken diagram does not render", async () => {
      const result = await render("sequenceDiagram\n  participant a as A\n  a->>b c d\n  end");
      expect(result.ok).toBe(false);
    });
  });
});
