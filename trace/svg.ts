/**
 * A trace as an SVG message sequence chart (the paper's Fig. 4 style): a box
 * and a vertical lifeline per thread, TLB, the kernel, region mapper and
 * pager; one row per message, the state number on the left (the text's
 * numbering), a lasso's cycle in a loop frame or its stuttering state, the
 * violation and a legend at the bottom. Positions come from measured text
 * (svg-layout.ts), so no label runs into another, into an arrowhead, or out
 * of its box.
 *
 * Plain SVG 1.1: no scripts, no external fonts or images, every coordinate
 * an integer, text escaped; the same trace always gives the same bytes.
 * Every text carries a class (title, box, step, label, note, frame, stutter,
 * violation, legend) and every arrowhead is a path of class "arrowhead", so
 * a test can find them.
 */
import { match } from "ts-pattern";
import { formatInstance } from "../model/trace-text.js";
import { traceNoun, type Trace } from "../model/trace.js";
import { EVENT_MEANING, chartOf, isNote, isReturn, type Chart, type EventKind, type TlbHold } from "./chart.js";
import { ARROW_HALF_WIDTH, ARROW_LENGTH, ASCENT, DESCENT, FONT_SIZE, LINE, PAD, TITLE_SIZE, layoutChart, lineWidth, noteWidth, type Layout, type Row } from "./svg-layout.js";
import { FONT_FAMILY, textWidth, wrapToWidth } from "./text-metrics.js";

export const LIFELINE_COLOR = "#7b8794";
const LIFELINE_WIDTH = 2;
/** Space under the last row where only the lifelines run (the screenshot test counts them there). */
export const TAIL = 48;
const MUTED = "#555555";
const ALARM = "#922b21";

const KIND_COLOR: Record<EventKind, string> = {
  trap: "#c0392b",
  "fault-message": "#1f5fa8",
  map: "#1e8449",
  unmap: "#9a6b00",
  reply: "#6c3483",
  resume: "#6c3483",
  "general-protection": ALARM,
  syscall: "#34495e",
  "tlb-fill": "#117a65",
  invalidate: "#b9770e",
  note: "#34495e",
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => match(c).with("&", () => "&amp;").with("<", () => "&lt;").with(">", () => "&gt;").with('"', () => "&quot;").otherwise(() => "&apos;"));
}

function violationText(trace: Trace): string {
  return match(trace.violation.kind)
    .with("invariant", () => `invariant ${trace.violation.name} violated`)
    .with("deadlock", () => "deadlock: no action enabled")
    .with("liveness", () => `temporal property ${trace.violation.name} violated (a lasso)`)
    .with("refinement", () => `refinement obligation ${trace.violation.name} violated`)
    .with("witness", () => `decision ${trace.violation.name} acts`)
    .exhaustive();
}

const r = Math.round;

function text(x: number, y: number, content: string, cls: string, attributes = ""): string {
  return `<text class="${cls}" x="${r(x)}" y="${r(y)}"${attributes}>${escapeXml(content)}</text>`;
}

/** White halo behind a label, so the lifelines it crosses do not cut through its letters. */
const HALO = ` stroke="#ffffff" stroke-width="4" stroke-linejoin="round" paint-order="stroke"`;

function arrowhead(tipX: number, y: number, direction: number, color: string): string {
  const baseX = tipX - direction * ARROW_LENGTH;
  return `<path class="arrowhead" d="M${r(tipX)},${r(y)} L${r(baseX)},${r(y - ARROW_HALF_WIDTH)} L${r(baseX)},${r(y + ARROW_HALF_WIDTH)} z" fill="${color}"/>`;
}

function arrowRow(row: Row, fromX: number, toX: number): string[] {
  const event = row.event;
  const color = KIND_COLOR[event.kind];
  const direction = toX > fromX ? 1 : -1;
  const tip = toX - direction * 2;
  const dash = isReturn(event) ? ` stroke-dasharray="6,4"` : "";
  // The label sits over the part of the arrow away from its head.
  const lo = Math.min(fromX, tip - direction * ARROW_LENGTH) + PAD;
  const hi = Math.max(fromX, tip - direction * ARROW_LENGTH) - PAD;
  const centre = (lo + hi) / 2;
  return [
    `<line x1="${r(fromX + direction * 2)}" y1="${r(row.y)}" x2="${r(tip - direction * ARROW_LENGTH)}" y2="${r(row.y)}" stroke="${color}" stroke-width="1.5"${dash}/>`,
    arrowhead(tip, row.y, direction, color),
    ...row.lines.map((line, i) => text(centre, row.top + ASCENT + i * LINE, line, "label", ` text-anchor="middle" fill="${color}"${HALO}`)),
  ];
}

function noteBox(row: Row, x: number, cls = "note", fill = "#fff8dc"): string[] {
  const width = noteWidth(row.lines);
  const height = row.lines.length * LINE + 12;
  const color = KIND_COLOR[row.event.kind];
  return [
    `<g class="box">`,
    `<rect x="${r(x - width / 2)}" y="${r(row.y)}" width="${r(width)}" height="${r(height)}" rx="3" fill="${fill}" stroke="${color}"/>`,
    ...row.lines.map((line, i) => text(x, row.y + 6 + ASCENT + i * LINE, line, cls, ` text-anchor="middle" fill="${color}"`)),
    `</g>`,
  ];
}

function holdBar(hold: TlbHold, layout: Layout, index: number): string {
  const x = layout.xs.get(hold.lifeline)!;
  const rowY = (number: number) => layout.steps.find((s) => s.step.number === number && !s.step.closing)?.rows.find((row) => row.event.to === hold.lifeline)?.y;
  const top = rowY(hold.from) ?? layout.steps.find((s) => s.step.number === hold.from)?.top ?? layout.boxTop + layout.boxHeight;
  const bottom = hold.to === undefined ? layout.rowsBottom : (rowY(hold.to) ?? layout.steps.find((s) => s.step.number === hold.to)?.top ?? layout.rowsBottom);
  const offset = (index % 3) * 3;
  return `<rect class="hold" x="${r(x - 4 + offset)}" y="${r(top)}" width="8" height="${r(Math.max(bottom - top, 4))}" fill="${KIND_COLOR["tlb-fill"]}" fill-opacity="0.25" stroke="${KIND_COLOR["tlb-fill"]}"/>`;
}

interface LegendEntry {
  readonly sample: (x: number, y: number) => string[];
  readonly label: string;
}

function legendEntries(chart: Chart): LegendEntry[] {
  const kinds = new Set(chart.steps.flatMap((s) => s.events).concat(chart.finalNotes).map((e) => (isNote(e) ? "note" : e.kind)));
  const order = Object.keys(EVENT_MEANING) as EventKind[];
  const entries: LegendEntry[] = order
    .filter((kind) => kinds.has(kind))
    .map((kind) => ({
      label: kind === "reply" || kind === "resume" ? `${EVENT_MEANING[kind]} (dashed)` : EVENT_MEANING[kind],
      sample: (x, y) =>
        kind === "note"
          ? [`<rect x="${x}" y="${y - 7}" width="36" height="14" rx="3" fill="#fff8dc" stroke="${KIND_COLOR.note}"/>`]
          : [
              `<line x1="${x}" y1="${y}" x2="${x + 36 - ARROW_LENGTH}" y2="${y}" stroke="${KIND_COLOR[kind]}" stroke-width="1.5"${isReturn({ kind, from: "", to: "", label: "" }) ? ` stroke-dasharray="6,4"` : ""}/>`,
              arrowhead(x + 36, y, 1, KIND_COLOR[kind]),
            ],
    }));
  if (chart.holds.length > 0) {
    entries.push({ label: "TLB entry held", sample: (x, y) => [`<rect x="${x + 14}" y="${y - 8}" width="8" height="16" fill="${KIND_COLOR["tlb-fill"]}" fill-opacity="0.25" stroke="${KIND_COLOR["tlb-fill"]}"/>`] });
  }
  if (chart.lasso?.kind === "cycle") entries.push({ label: "loop: the cycle repeats forever", sample: (x, y) => [`<rect x="${x}" y="${y - 7}" width="36" height="14" fill="none" stroke="${ALARM}" stroke-width="1.5"/>`] });
  if (chart.lasso?.kind === "stutter") entries.push({ label: "stuttering: the last state repeats forever", sample: (x, y) => [`<rect x="${x}" y="${y - 7}" width="36" height="14" rx="3" fill="#f4f4f4" stroke="${MUTED}" stroke-dasharray="2,3"/>`] });
  return entries;
}

/** Legend entries flowed into lines within `width`: each sample, then its words. */
function placeLegend(entries: readonly LegendEntry[], width: number, top: number): { parts: string[]; height: number } {
  const parts: string[] = [];
  let x = 16;
  let y = top + 12;
  const lineHeight = 20;
  for (const entry of entries) {
    const entryWidth = 36 + 6 + textWidth(entry.label, FONT_SIZE) + 20;
    if (x > 16 && x + entryWidth > width - 8) {
      x = 16;
      y += lineHeight;
    }
    parts.push(...entry.sample(r(x), r(y)), text(x + 42, y + 4, entry.label, "legend", ` fill="${MUTED}"`));
    x += entryWidth;
  }
  return { parts, height: y - top + lineHeight };
}

export interface SvgGeometry {
  readonly width: number;
  readonly height: number;
  readonly lifelineXs: readonly number[];
  /** A y coordinate where only lifelines are drawn. */
  readonly tailY: number;
}

function headerLines(trace: Trace, id: string): [string, string] {
  const mutant = trace.mutant === null ? "no mutant" : `mutant ${trace.mutant}`;
  const arch = trace.arch === undefined ? "" : `, architecture ${trace.arch}`;
  return [`${traceNoun(trace)} ${id}: ${violationText(trace)}`, `${trace.machine}, configuration ${trace.config}, ${mutant}${arch}, ${trace.steps.length - 1} steps`];
}

function violationLines(trace: Trace, width: number): { bold: string; lines: string[] } {
  const wrap = (t: string) => wrapToWidth(t, width - 40, FONT_SIZE);
  const v = trace.violation;
  return {
    bold: violationText(trace),
    lines: [
      ...(v.quote === "" ? [] : wrap(`“${v.quote}”`)),
      ...(v.formula === undefined ? [] : wrap(v.formula)),
      ...(v.instance === undefined || Object.keys(v.instance).length === 0 ? [] : wrap(`violated for ${formatInstance(v.instance)}`)),
    ],
  };
}

interface Drawing {
  readonly svg: string;
  readonly geometry: SvgGeometry;
}

function draw(trace: Trace, id: string): Drawing {
  const chart = chartOf(trace);
  const [title, subtitle] = headerLines(trace, id);
  const headerWidth = Math.ceil(Math.max(textWidth(title, TITLE_SIZE, true), textWidth(subtitle, FONT_SIZE)) + 24);
  const layout = layoutChart(chart, headerWidth);
  const { width, xs } = layout;
  const lifelineXs = chart.lifelines.map((l) => xs.get(l.key)!);
  const tailTop = layout.rowsBottom;
  const legend = placeLegend(legendEntries(chart), width, tailTop + TAIL);
  const violation = violationLines(trace, width);
  const violationTop = tailTop + TAIL + legend.height + 8;
  const violationHeight = 12 + ASCENT + violation.lines.length * LINE + DESCENT + 4;
  const height = violationTop + violationHeight + 8;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}" font-size="${FONT_SIZE}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    text(12, 22, title, "title", ` font-size="${TITLE_SIZE}" font-weight="bold"`),
    text(12, 42, subtitle, "title", ` fill="${MUTED}"`),
  ];
  chart.lifelines.forEach((lifeline, index) => {
    const x = lifelineXs[index]!;
    const boxWidth = layout.boxWidths[index]!;
    out.push(
      `<line x1="${x}" y1="${layout.boxTop + layout.boxHeight}" x2="${x}" y2="${tailTop + TAIL}" stroke="${LIFELINE_COLOR}" stroke-width="${LIFELINE_WIDTH}"/>`,
      `<g class="box">`,
      `<rect x="${r(x - boxWidth / 2)}" y="${layout.boxTop}" width="${boxWidth}" height="${layout.boxHeight}" rx="4" fill="${lifeline.kind === "tlb" ? "#e8f6f3" : "#eef2f8"}" stroke="#3b5b92"/>`,
      text(x, layout.boxTop + 17, lifeline.title, "box", ` text-anchor="middle" font-weight="bold"`),
      text(x, layout.boxTop + 32, lifeline.subtitle, "box", ` text-anchor="middle" fill="${MUTED}"`),
      `</g>`,
    );
  });
  chart.holds.forEach((hold, index) => out.push(holdBar(hold, layout, index)));
  if (layout.frame !== undefined && chart.lasso?.kind === "cycle") {
    const { top, bottom } = layout.frame;
    const label = `loop forever: back to State ${chart.lasso.back}`;
    const tabWidth = Math.ceil(textWidth(label, FONT_SIZE, true) + 2 * PAD);
    const left = layout.marginLeft - 4;
    out.push(
      `<rect x="${left}" y="${top}" width="${width - left - 8}" height="${bottom - top}" fill="none" stroke="${ALARM}" stroke-width="1.5"/>`,
      `<path d="M${left},${top} L${left + tabWidth + 8},${top} L${left + tabWidth + 8},${top + LINE} L${left + tabWidth},${top + LINE + 6} L${left},${top + LINE + 6} z" fill="#fdecea" stroke="${ALARM}"/>`,
      text(left + PAD, top + ASCENT + 3, label, "frame", ` fill="${ALARM}" font-weight="bold"`),
    );
  }
  layout.steps.forEach((stepLayout, index) => {
    if (index > 0) out.push(`<line x1="8" y1="${stepLayout.top - 1}" x2="${width - 8}" y2="${stepLayout.top - 1}" stroke="#e3e7ee" stroke-width="1"/>`);
    const first = stepLayout.rows[0]!;
    const baseline = isNote(first.event) ? first.y + 6 + ASCENT : first.top + ASCENT;
    out.push(text(12, baseline, stepLayout.title, "step", ` fill="${MUTED}" font-weight="bold"`));
    for (const row of stepLayout.rows) {
      if (isNote(row.event)) out.push(...noteBox(row, xs.get(row.event.from)!));
      else out.push(...arrowRow(row, xs.get(row.event.from)!, xs.get(row.event.to)!));
    }
  });
  if (layout.stutter !== undefined && chart.lasso?.kind === "stutter") {
    const { top, lines } = layout.stutter;
    const boxWidth = Math.ceil(lineWidth(lines) + 12);
    out.push(
      text(12, top + 6 + ASCENT, `State ${chart.lasso.number}`, "step", ` fill="${MUTED}" font-weight="bold"`),
      `<g class="box">`,
      `<rect class="stutter" x="${layout.marginLeft}" y="${top}" width="${boxWidth}" height="${lines.length * LINE + 12}" rx="3" fill="#f4f4f4" stroke="${MUTED}" stroke-dasharray="2,3"/>`,
      ...lines.map((line, i) => text(layout.marginLeft + 6, top + 6 + ASCENT + i * LINE, line, "stutter", ` fill="${MUTED}" font-style="italic"`)),
      `</g>`,
    );
  }
  if (layout.finalRows.length > 0) {
    const first = layout.finalRows[0]!;
    out.push(text(12, first.y + 6 + ASCENT, "end", "step", ` fill="${MUTED}" font-weight="bold"`));
    for (const row of layout.finalRows) out.push(...noteBox(row, xs.get(row.event.from)!));
  }
  out.push(...legend.parts);
  out.push(
    `<g class="box">`,
    `<rect x="8" y="${violationTop}" width="${width - 16}" height="${violationHeight}" rx="4" fill="#fdecea" stroke="${ALARM}"/>`,
    text(16, violationTop + 6 + ASCENT, violation.bold, "violation", ` fill="${ALARM}" font-weight="bold"`),
    ...violation.lines.map((line, i) => text(16, violationTop + 6 + ASCENT + LINE * (i + 1), line, "violation", ` fill="${MUTED}"`)),
    `</g>`,
    "</svg>",
  );
  return { svg: `${out.join("\n")}\n`, geometry: { width, height, lifelineXs, tailY: tailTop + TAIL / 2 } };
}

/** Where `formatTraceSvg(trace, id)` puts things (the id's width counts in the header). */
export function svgGeometry(trace: Trace, id: string): SvgGeometry {
  return draw(trace, id).geometry;
}

export function formatTraceSvg(trace: Trace, id: string): string {
  return draw(trace, id).svg;
}
