/**
 * A trace as Markdown for a review comment (GitHub-flavoured): a header that
 * says what was violated and how to reproduce it, the step table (for a
 * refinement trace, each concrete step beside its abstract image), a Mermaid
 * sequence diagram that renders inline in a pull request, and the first
 * state whole.
 */
import { match } from "ts-pattern";
import type { TraceValue } from "../model/machine.js";
import { diffLines, formatAction, formatInstance } from "../model/trace-text.js";
import { startsFromInduction, stateNumber, traceNoun, type Trace } from "../model/trace.js";
import { portablePath, reproduceCommand, shellWord } from "./command.js";
import { chartOf, isNote, isReturn, stepTitle } from "./chart.js";

/** Pipes escaped: GFM splits a table row at every unescaped pipe, even inside code spans. */
const escapeCell = (text: string): string => text.replace(/\|/g, "\\|");

/** A table cell: code, pipes escaped, lines joined by <br>. */
function cell(lines: readonly string[]): string {
  if (lines.length === 0) return "(no change)";
  return lines.map((line) => `\`${escapeCell(line).replace(/`/g, "'")}\``).join("<br>");
}

function changes(vars: readonly string[], before: Readonly<Record<string, TraceValue>> | undefined, after: Readonly<Record<string, TraceValue>>): string[] {
  return diffLines(vars, before, after).map((line) => line.replace(/^\/\\ /, ""));
}

function violationLine(trace: Trace): string {
  return match(trace.violation.kind)
    .with("invariant", () => `invariant **${trace.violation.name}**`)
    .with("deadlock", () => "**deadlock** (no action enabled)")
    .with("liveness", () => `temporal property **${trace.violation.name}** (a lasso: the behaviour loops forever)`)
    .with("refinement", () => `refinement obligation **${trace.violation.name}**`)
    .with("witness", () => `decision **${trace.violation.name}**`)
    .exhaustive();
}

/** What the trace shows of its violation: it is violated, reached (a deadlock), or the decision acts (a witness). */
function verdictVerb(trace: Trace): string {
  return match(trace.violation.kind)
    .with("deadlock", () => "is reached")
    .with("witness", () => "acts at the last step")
    .with("invariant", "liveness", "refinement", () => "is violated")
    .exhaustive();
}

function mermaidText(text: string): string {
  // Mermaid ends a message at a newline and treats ';' and '#' specially.
  return text.replace(/[;#\n]/g, " ").replace(/"/g, "'");
}

/**
 * The chart as a Mermaid sequence diagram (renders inline on GitHub): each
 * message prefixed with the State it leads to, a lasso's cycle in a `loop`
 * block, a stuttering end as a note across the chart, TLB entries held as
 * activations of their TLB's lifeline.
 */
export function formatMermaid(trace: Trace): string {
  const chart = chartOf(trace);
  const lines = ["sequenceDiagram"];
  for (const lifeline of chart.lifelines) lines.push(`  participant ${lifeline.key} as ${mermaidText(`${lifeline.title} (${lifeline.subtitle})`)}`);
  const first = chart.lifelines[0]!.key;
  const last = chart.lifelines[chart.lifelines.length - 1]!.key;
  const active = new Map<string, number>();
  let inLoop = false;
  for (const step of chart.steps) {
    if (chart.lasso?.kind === "cycle" && !inLoop && (step.number === chart.lasso.first || step.closing)) {
      lines.push(`  loop forever: back to State ${chart.lasso.back}`);
      inLoop = true;
    }
    const prefix = step.closing ? `${stepTitle(step)} = State ${chart.lasso?.back ?? "?"}` : stepTitle(step);
    for (const event of step.events) {
      const label = mermaidText(`${prefix}: ${event.label}`);
      if (isNote(event)) lines.push(`  Note over ${event.from}: ${label}`);
      else lines.push(`  ${event.from}${isReturn(event) ? "-->>" : "->>"}${event.to}: ${label}`);
      // A TLB entry is held from its fill to its invalidation.
      if (event.kind === "tlb-fill") {
        lines.push(`  activate ${event.to}`);
        active.set(event.to, (active.get(event.to) ?? 0) + 1);
      }
      if (event.kind === "invalidate" && (active.get(event.to) ?? 0) > 0) {
        lines.push(`  deactivate ${event.to}`);
        active.set(event.to, active.get(event.to)! - 1);
      }
    }
  }
  if (inLoop) lines.push("  end");
  if (chart.lasso?.kind === "stutter") {
    lines.push(`  Note over ${first},${last}: State ${chart.lasso.number}: stuttering, State ${chart.lasso.back} repeats forever`);
  }
  for (const note of chart.finalNotes) lines.push(`  Note over ${note.from}: ${mermaidText(`end: ${note.label}`)}`);
  lines.push(`  Note over ${first},${last}: ${mermaidText(`${violationLine(trace).replace(/\*\*/g, "")} ${verdictVerb(trace)}`)}`);
  return lines.join("\n");
}

export interface MarkdownOptions {
  /** The trace file as the reader should name it (for the replay command); omitted when unknown. */
  readonly file?: string;
}

/** The lasso's length in words: where it loops back to, or that it stutters. */
function lassoWords(trace: Trace): string {
  if (trace.loop === undefined) return "";
  if (trace.closing === "stutter") return `, then State ${stateNumber(trace.loop)} stutters forever`;
  return `, then back to State ${stateNumber(trace.loop)} and around the cycle forever`;
}

export function formatTraceMarkdown(trace: Trace, id: string, options: MarkdownOptions = {}): string {
  const out: string[] = [];
  const length = trace.steps.length - 1;
  const v = trace.violation;
  const induction = startsFromInduction(trace);
  out.push(`### ${traceNoun(trace)}${induction ? " to induction" : ""} \`${id}\`: ${violationLine(trace).replace(/\*\*/g, "")}`, "");
  out.push("| | |", "| --- | --- |");
  out.push(`| Trace id | \`${id}\` |`);
  out.push(v.kind === "witness" ? `| Witnessed | ${violationLine(trace)} ${verdictVerb(trace)} |` : `| Violated | ${violationLine(trace)} |`);
  if (v.quote !== "") {
    // A spec invariant quotes the paper; a refinement obligation says what failed.
    const label = v.kind === "refinement" ? "Why" : "The paper";
    out.push(`| ${label} | “${escapeCell(v.quote)}” |`);
  }
  if (v.formula !== undefined) out.push(`| Formula | ${cell([v.formula])} |`);
  if (v.instance !== undefined && Object.keys(v.instance).length > 0) out.push(`| Violated for | ${cell([formatInstance(v.instance)])} |`);
  out.push(`| Machine | \`${trace.machine}\` (${trace.kind === "refinement" ? "refinement: concrete kernel against the spec" : "abstract spec"}) |`);
  out.push(`| Configuration | \`${trace.config}\` |`);
  out.push(`| Mutant | ${trace.mutant === null ? "none (the design as specified)" : `\`${trace.mutant}\``} |`);
  if (trace.arch !== undefined) out.push(`| Architecture | \`${trace.arch}\` |`);
  out.push(`| Length | ${length} steps, States 1 to ${stateNumber(length)}${trace.originalLength !== undefined ? ` (shortened from ${trace.originalLength} steps)` : ""}${lassoWords(trace)} |`);
  out.push(`| Tool | multipager ${trace.toolVersion} |`);
  out.push("", "Reproduce:", "", "```sh", reproduceCommand(trace));
  out.push(`npx multipager trace replay ${options.file === undefined ? "TRACE.itf.json" : shellWord(portablePath(options.file))}`, "```", "");

  const refinement = trace.steps.some((step) => step.abstract !== undefined);
  out.push("#### Steps", "");
  out.push(refinement ? "| State | Concrete step | Concrete changes | Abstract image | Abstract changes |" : "| State | Action | Changes |");
  out.push(refinement ? "| ---: | --- | --- | --- | --- |" : "| ---: | --- | --- |");
  const abstractVars = (state: Readonly<Record<string, TraceValue>> | undefined) => (state === undefined ? [] : Object.keys(state));
  const row = (number: string, cells: readonly string[]) => out.push(`| ${number} | ${cells.join(" | ")} |`);
  trace.steps.forEach((step, index) => {
    const previous = index === 0 ? undefined : trace.steps[index - 1];
    const action = index === 0 ? (startsFromInduction(trace) ? "any state of IndInv (below)" : "initial state (below)") : cell([formatAction(step.action, step.params)]);
    const concrete = index === 0 ? "" : cell(changes(trace.vars, previous?.state, step.state));
    if (index === trace.loop) out.push(`| | **the cycle starts here: the behaviour repeats from State ${stateNumber(index)} forever** |${refinement ? " | | |" : " |"}`);
    if (!refinement) return row(String(stateNumber(index)), [action, concrete]);
    const image = step.abstract;
    const abstractAction = image === undefined ? "" : index === 0 ? "initial state" : cell([formatAction(image.action, image.params)]);
    const abstractChanges = image === undefined || index === 0 ? "" : cell(changes(abstractVars(image.state), previous?.abstract?.state, image.state));
    return row(String(stateNumber(index)), [action, concrete, abstractAction, abstractChanges]);
  });
  if (trace.loop !== undefined) {
    const next = String(stateNumber(trace.steps.length));
    const back = stateNumber(trace.loop);
    const blanks = refinement ? ["", ""] : [];
    // A refinement lasso's closing step: its abstract move is not recorded, what it changes in the abstract image is.
    const abstractBack = (last: Trace["steps"][number], home: Trace["steps"][number]) =>
      refinement && home.abstract !== undefined ? ["", cell(changes(abstractVars(home.abstract.state), last.abstract?.state, home.abstract.state))] : blanks;
    if (trace.closing === "stutter") row(next, [`stuttering: State ${back} repeats forever`, "(no variable changes)", ...blanks]);
    else if (trace.closing === undefined) row(next, [`back to State ${back}`, "", ...blanks]);
    else {
      const last = trace.steps[trace.steps.length - 1]!;
      row(next, [`${cell([formatAction(trace.closing.action, trace.closing.params)])} back to State ${back}`, cell(changes(trace.vars, last.state, trace.steps[trace.loop]!.state)), ...abstractBack(last, trace.steps[trace.loop]!)]);
    }
  }
  out.push("", `${trace.loop !== undefined ? "Around the cycle forever" : `After State ${stateNumber(length)}`}: ${violationLine(trace)} ${verdictVerb(trace)}.`);
  out.push("", "#### Sequence chart", "", "```mermaid", formatMermaid(trace), "```", "");
  out.push(`<details><summary>${induction ? "The state of IndInv before the step (State 1)" : "Initial state (State 1)"}</summary>`, "", "```tla", ...diffLines(trace.vars, undefined, trace.steps[0]!.state), "```", "", "</details>", "");
  return out.join("\n");
}
