/**
 * Where everything of a sequence chart goes, from measured text
 * (trace/text-metrics.ts): the lifelines are spaced so that every arrow's
 * label fits between its two lifelines clear of the arrowhead, every note
 * fits between its neighbours, and no label is cut; rows grow with wrapped
 * labels. svg.ts draws what this computes; the Chromium test checks it.
 */
import type { Chart, ChartEvent, ChartStep } from "./chart.js";
import { isNote, stepTitle } from "./chart.js";
import { textWidth, wrapToWidth } from "./text-metrics.js";

export const FONT_SIZE = 12;
export const LINE = 15;
export const TITLE_SIZE = 15;
/** Length of an arrowhead along its line, and half its width. */
export const ARROW_LENGTH = 10;
export const ARROW_HALF_WIDTH = 4;
/** Space kept between a label and anything beside it. */
export const PAD = 8;
const MAX_LABEL_WIDTH = 300;
const MAX_NOTE_WIDTH = 240;
const BOX_HEIGHT = 40;
const BOX_PADDING = 12;
const MIN_BOX_WIDTH = 96;
const NOTE_PADDING = 6;
/** A text line's extent around its baseline (DejaVu Sans: ascent 0.93 em, descent 0.24 em), rounded up. */
export const ASCENT = 12;
export const DESCENT = 4;
const TOP = 56;
const ROWS_GAP = 24;
/** The loop frame's tab: one line of text above the cycle's first row. */
const FRAME_TAB = LINE + 10;

export interface Row {
  readonly event: ChartEvent;
  readonly lines: readonly string[];
  readonly top: number;
  readonly height: number;
  /** Arrows: the y of the line. Notes: the box's top. */
  readonly y: number;
}

export interface StepLayout {
  readonly step: ChartStep;
  readonly title: string;
  readonly top: number;
  readonly bottom: number;
  readonly rows: readonly Row[];
}

export interface Layout {
  readonly width: number;
  readonly marginLeft: number;
  readonly boxTop: number;
  readonly boxHeight: number;
  readonly boxWidths: readonly number[];
  readonly xs: ReadonlyMap<string, number>;
  readonly steps: readonly StepLayout[];
  /** The loop frame around a cycle's steps (y range), or the stutter row. */
  readonly frame?: { readonly top: number; readonly bottom: number };
  readonly stutter?: { readonly top: number; readonly lines: readonly string[] };
  /** Notes of what the TLBs hold at the end. */
  readonly finalRows: readonly Row[];
  /** Where the rows end: lifelines run on a little below. */
  readonly rowsBottom: number;
}

export const lineWidth = (lines: readonly string[], bold = false): number => Math.max(0, ...lines.map((line) => textWidth(line, FONT_SIZE, bold)));

const noteLines = (event: ChartEvent): string[] => wrapToWidth(event.label, MAX_NOTE_WIDTH - 2 * NOTE_PADDING, FONT_SIZE);
const labelLines = (event: ChartEvent): string[] => wrapToWidth(event.label, MAX_LABEL_WIDTH, FONT_SIZE);
export const noteWidth = (lines: readonly string[]): number => Math.ceil(lineWidth(lines) + 2 * NOTE_PADDING);

/** The x of each lifeline: left to right, each as far left as every label and box allows. */
function placeLifelines(chart: Chart, marginLeft: number, boxWidths: readonly number[], events: readonly ChartEvent[], notes: readonly ChartEvent[]): Map<string, number> {
  const order = chart.lifelines.map((l) => l.key);
  const index = new Map(order.map((key, i) => [key, i]));
  // need[j][i]: the least x_j - x_i for i < j.
  const need = order.map(() => new Map<number, number>());
  const require = (i: number, j: number, distance: number) => {
    if (i === j) return;
    const [a, b] = i < j ? [i, j] : [j, i];
    need[b]!.set(a, Math.max(need[b]!.get(a) ?? 0, distance));
  };
  for (let j = 1; j < order.length; j++) require(j - 1, j, (boxWidths[j - 1]! + boxWidths[j]!) / 2 + PAD * 2);
  for (const event of events) {
    const from = index.get(event.from)!;
    const to = index.get(event.to)!;
    require(from, to, lineWidth(labelLines(event)) + 2 * PAD + ARROW_LENGTH + 4);
  }
  const halfNote = order.map(() => 0);
  for (const note of notes) {
    const i = index.get(note.from)!;
    halfNote[i] = Math.max(halfNote[i]!, noteWidth(noteLines(note)) / 2);
  }
  for (let j = 1; j < order.length; j++) require(j - 1, j, Math.max(halfNote[j - 1]!, halfNote[j]!) + PAD);
  const xs: number[] = [];
  for (let j = 0; j < order.length; j++) {
    let x = marginLeft + Math.max(boxWidths[j]! / 2, halfNote[j]!) + PAD;
    for (const [i, distance] of need[j]!) x = Math.max(x, xs[i]! + distance);
    xs.push(Math.ceil(x));
  }
  return new Map(order.map((key, i) => [key, xs[i]!]));
}

function rowOf(event: ChartEvent, top: number): Row {
  if (isNote(event)) {
    const lines = noteLines(event);
    const height = lines.length * LINE + 2 * NOTE_PADDING;
    return { event, lines, top, height: height + PAD, y: top + PAD / 2 };
  }
  const lines = labelLines(event);
  // The arrow runs under its label, clear of the last line's descent by more than half an arrowhead.
  const y = top + ASCENT + (lines.length - 1) * LINE + DESCENT + ARROW_HALF_WIDTH + 4;
  return { event, lines, top, height: y - top + ARROW_HALF_WIDTH + PAD, y };
}

export function layoutChart(chart: Chart, headerWidth: number): Layout {
  const titles = chart.steps.map((step) => (step.closing ? `${stepTitle(step)} = State ${chart.lasso?.back ?? "?"}` : stepTitle(step)));
  const stutterTitle = chart.lasso?.kind === "stutter" ? `State ${chart.lasso.number}` : "";
  // Step titles start at x = 12; the loop frame's edge (4 px left of the margin) stays clear of them.
  const marginLeft = Math.ceil(12 + Math.max(36, ...[...titles, stutterTitle, "end"].map((t) => textWidth(t, FONT_SIZE, true))) + 2 * PAD);
  const boxWidths = chart.lifelines.map((l) => Math.ceil(Math.max(MIN_BOX_WIDTH, textWidth(l.title, FONT_SIZE, true) + 2 * BOX_PADDING, textWidth(l.subtitle, FONT_SIZE) + 2 * BOX_PADDING)));
  const events = chart.steps.flatMap((s) => s.events).filter((e) => !isNote(e));
  const notes = [...chart.steps.flatMap((s) => s.events), ...chart.finalNotes].filter(isNote);
  const xs = placeLifelines(chart, marginLeft, boxWidths, events, notes);

  let y = TOP + BOX_HEIGHT + ROWS_GAP;
  let frame: { top: number; bottom: number } | undefined;
  const steps: StepLayout[] = chart.steps.map((step, i) => {
    const cycleStarts = chart.lasso?.kind === "cycle" && step.number === chart.lasso.first;
    const closingStartsIt = chart.lasso?.kind === "cycle" && step.closing && frame === undefined;
    if (cycleStarts || closingStartsIt) {
      frame = { top: y, bottom: y };
      y += FRAME_TAB;
    }
    const top = y;
    const rows = (step.events.length === 0 ? [{ kind: "note", from: "kernel", to: "kernel", label: "(nothing to draw)" } satisfies ChartEvent] : step.events).map((event) => {
      const row = rowOf(event, y);
      y += row.height;
      return row;
    });
    y += 2;
    if (frame !== undefined && step.closing) {
      frame = { top: frame.top, bottom: y };
      y += PAD;
    }
    return { step, title: titles[i]!, top, bottom: y, rows };
  });
  let stutter: { top: number; lines: string[] } | undefined;
  if (chart.lasso?.kind === "stutter") {
    stutter = { top: y, lines: [`stuttering: State ${chart.lasso.back} repeats forever (no fairly scheduled action changes it)`] };
    y += LINE + 2 * NOTE_PADDING + PAD;
  }
  const finalRows = chart.finalNotes.map((event) => {
    const row = rowOf(event, y);
    y += row.height;
    return row;
  });
  const lastX = Math.max(0, ...xs.values());
  const lastBox = boxWidths[boxWidths.length - 1] ?? 0;
  const halfNotes = Math.max(0, ...notes.filter((n) => xs.get(n.from) === lastX).map((n) => noteWidth(noteLines(n)) / 2));
  const stutterWidth = stutter === undefined ? 0 : marginLeft + lineWidth(stutter.lines) + 2 * NOTE_PADDING + PAD;
  const width = Math.ceil(Math.max(lastX + Math.max(lastBox / 2, halfNotes) + 2 * PAD, headerWidth, stutterWidth + PAD));
  return { width, marginLeft, boxTop: TOP, boxHeight: BOX_HEIGHT, boxWidths, xs, steps, ...(frame !== undefined ? { frame } : {}), ...(stutter !== undefined ? { stutter } : {}), finalRows, rowsBottom: y };
}
