/**
 * A trace as an SVG message sequence chart (the paper's Fig. 4 style): a box
 * and a vertical lifeline per thread, the kernel and each pager, one row per
 * message, the step number on the left, the violation at the bottom.
 *
 * Plain SVG 1.1: no scripts, no external fonts or images, every coordinate
 * an integer, text escaped; the same trace always gives the same bytes.
 */
import { match } from "ts-pattern";
import type { Trace } from "../model/trace.js";
import { chartOf, isNote, type ChartEvent, type EventKind } from "./chart.js";

export const LIFELINE_COLOR = "#7b8794";
const LIFELINE_WIDTH = 2;
const COLUMN = 240;
const MARGIN_LEFT = 64;
const MARGIN_RIGHT = 16;
const TITLE_HEIGHT = 56;
const BOX_HEIGHT = 40;
const BOX_INSET = 24;
const FIRST_ROW_GAP = 34;
const ROW = 30;
/** Space under the last row where only the lifelines run (the screenshot test counts them there). */
export const TAIL = 48;
const VIOLATION_TITLE = 26;
const QUOTE_LINE = 16;
/** Characters per line of the quote, at the font size used (about 6.5 px a character). */
const charsPerLine = (width: number) => Math.floor((width - 40) / 6.5);
const FONT = "DejaVu Sans, Verdana, Arial, sans-serif";

const KIND_COLOR: Record<EventKind, string> = {
  trap: "#c0392b",
  "fault-message": "#1f5fa8",
  map: "#1e8449",
  unmap: "#9a6b00",
  reply: "#6c3483",
  resume: "#6c3483",
  "general-protection": "#922b21",
  syscall: "#34495e",
  note: "#34495e",
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => match(c).with("&", () => "&amp;").with("<", () => "&lt;").with(">", () => "&gt;").with('"', () => "&quot;").otherwise(() => "&apos;"));
}

function violationText(trace: Trace): string {
  return match(trace.violation.kind)
    .with("invariant", () => `invariant ${trace.violation.name} violated`)
    .with("deadlock", () => "deadlock: no action enabled")
    .with("liveness", () => `temporal property ${trace.violation.name} violated (lasso)`)
    .with("refinement", () => `refinement obligation ${trace.violation.name} violated`)
    .with("witness", () => `decision ${trace.violation.name} acts`)
    .exhaustive();
}

export interface SvgGeometry {
  readonly width: number;
  readonly height: number;
  readonly lifelineXs: readonly number[];
  /** A y coordinate where only lifelines are drawn. */
  readonly tailY: number;
}

export function svgGeometry(trace: Trace): SvgGeometry {
  const chart = chartOf(trace);
  const width = MARGIN_LEFT + chart.lifelines.length * COLUMN + MARGIN_RIGHT;
  const rowsTop = TITLE_HEIGHT + BOX_HEIGHT + FIRST_ROW_GAP;
  const rowsBottom = rowsTop + Math.max(chart.events.length, 1) * ROW + (trace.loop !== undefined ? ROW : 0);
  const height = rowsBottom + TAIL + violationHeight(trace, width) + 12;
  const lifelineXs = chart.lifelines.map((_, index) => MARGIN_LEFT + index * COLUMN + COLUMN / 2);
  return { width, height, lifelineXs, tailY: rowsBottom + TAIL / 2 };
}

/** The quote broken into lines at spaces, each at most `max` characters (a longer word gets a line of its own). */
export function wrapText(text: string, max: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && line.length + 1 + word.length > max) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}

function quoteLines(trace: Trace, width: number): string[] {
  return trace.violation.quote === "" ? [] : wrapText(`“${trace.violation.quote}”`, charsPerLine(width));
}

function violationHeight(trace: Trace, width: number): number {
  return VIOLATION_TITLE + QUOTE_LINE * quoteLines(trace, width).length;
}

export function formatTraceSvg(trace: Trace, id: string): string {
  const chart = chartOf(trace);
  const geometry = svgGeometry(trace);
  const { width, height, lifelineXs } = geometry;
  const xOf = new Map(chart.lifelines.map((lifeline, index) => [lifeline.key, lifelineXs[index]!]));
  const boxTop = TITLE_HEIGHT;
  const rowsTop = boxTop + BOX_HEIGHT + FIRST_ROW_GAP;
  const boxHeight = violationHeight(trace, width);
  const lifelineBottom = height - boxHeight - 12;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" font-size="12">`,
    `<title>${escapeXml(`Counterexample ${id}: ${violationText(trace)}`)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    "<defs>",
    ...Object.entries(KIND_COLOR)
      .filter(([kind]) => kind !== "note")
      .map(([kind, color]) => `<marker id="arrow-${kind}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="${color}"/></marker>`),
    "</defs>",
  );
  const mutant = trace.mutant === null ? "no mutant" : `mutant ${trace.mutant}`;
  const arch = trace.arch === undefined ? "" : `, architecture ${trace.arch}`;
  out.push(
    `<text x="12" y="22" font-size="15" font-weight="bold">${escapeXml(`Counterexample ${id}: ${violationText(trace)}`)}</text>`,
    `<text x="12" y="42" fill="#555555">${escapeXml(`${trace.machine}, configuration ${trace.config}, ${mutant}${arch}, ${trace.steps.length - 1} steps`)}</text>`,
  );
  chart.lifelines.forEach((lifeline, index) => {
    const x = lifelineXs[index]!;
    const left = x - COLUMN / 2 + BOX_INSET / 2;
    out.push(
      `<line x1="${x}" y1="${boxTop + BOX_HEIGHT}" x2="${x}" y2="${lifelineBottom}" stroke="${LIFELINE_COLOR}" stroke-width="${LIFELINE_WIDTH}"/>`,
      `<rect x="${left}" y="${boxTop}" width="${COLUMN - BOX_INSET}" height="${BOX_HEIGHT}" rx="4" fill="#eef2f8" stroke="#3b5b92"/>`,
      `<text x="${x}" y="${boxTop + 17}" text-anchor="middle" font-weight="bold">${escapeXml(lifeline.title)}</text>`,
      `<text x="${x}" y="${boxTop + 32}" text-anchor="middle" fill="#555555">${escapeXml(lifeline.subtitle)}</text>`,
    );
  });
  let previousStep = -1;
  chart.events.forEach((event, index) => {
    const y = rowsTop + index * ROW + ROW / 2;
    if (event.step !== previousStep) {
      out.push(`<text x="12" y="${y + 4}" fill="#555555">${escapeXml(`step ${event.step}`)}</text>`);
      previousStep = event.step;
    }
    out.push(...eventSvg(event, xOf.get(event.from)!, xOf.get(event.to)!, y));
  });
  if (trace.loop !== undefined) {
    const y = rowsTop + chart.events.length * ROW + ROW / 2;
    out.push(`<text x="12" y="${y + 4}" fill="#922b21" font-weight="bold">${escapeXml(`back to the state after step ${trace.loop} and around again, forever`)}</text>`);
  }
  const violationTop = height - boxHeight - 6;
  out.push(
    `<rect x="8" y="${violationTop}" width="${width - 16}" height="${boxHeight}" rx="4" fill="#fdecea" stroke="#922b21"/>`,
    `<text x="16" y="${violationTop + 17}" fill="#922b21" font-weight="bold">${escapeXml(violationText(trace))}</text>`,
    ...quoteLines(trace, width).map((line, index) => `<text x="16" y="${violationTop + 17 + QUOTE_LINE * (index + 1)}" fill="#555555">${escapeXml(line)}</text>`),
    "</svg>",
  );
  return `${out.join("\n")}\n`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(max - 1, 1))}…`;
}

function eventSvg(event: ChartEvent, fromX: number, toX: number, y: number): string[] {
  const color = KIND_COLOR[event.kind];
  const label = escapeXml(truncate(event.label, 44));
  if (isNote(event)) {
    const w = COLUMN - BOX_INSET - 16;
    return [
      `<rect x="${fromX - w / 2}" y="${y - 10}" width="${w}" height="20" rx="3" fill="#fff8dc" stroke="${color}"/>`,
      `<text x="${fromX}" y="${y + 4}" text-anchor="middle" fill="${color}">${label}</text>`,
    ];
  }
  const dash = event.kind === "reply" || event.kind === "resume" ? ` stroke-dasharray="6,4"` : "";
  const direction = toX > fromX ? 1 : -1;
  return [
    `<line x1="${fromX + direction * 2}" y1="${y + 6}" x2="${toX - direction * 3}" y2="${y + 6}" stroke="${color}" stroke-width="1.5"${dash} marker-end="url(#arrow-${event.kind})"/>`,
    `<text x="${(fromX + toX) / 2}" y="${y + 1}" text-anchor="middle" fill="${color}">${label}</text>`,
  ];
}
