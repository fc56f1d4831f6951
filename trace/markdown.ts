/**
 * A trace as Markdown for a review comment (GitHub-flavoured): a header that
 * says what was violated and how to reproduce it, the step table (for a
 * refinement trace, each concrete step beside its abstract image), a Mermaid
 * sequence diagram that renders inline in a pull request, and the first
 * state whole.
 */
import { match } from "ts-pattern";
import type { TraceValue } from "../model/machine.js";
import { diffLines, formatAction } from "../model/trace-text.js";
import { startsFromInduction, type Trace } from "../model/trace.js";
import { chartOf, isNote, type Lifeline } from "./chart.js";

/** Options that only say where output goes: left out of the reproducing command. */
const OUTPUT_OPTIONS = new Set(["--itf", "--out", "-o", "--quiet"]);
const OPTIONS_WITH_VALUE = new Set(["--itf", "--out", "-o"]);

function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command that reproduces the trace, without the options that only name output files. */
export function reproduceCommand(trace: Trace): string {
  const words: string[] = [];
  for (let i = 0; i < trace.command.length; i++) {
    const word = trace.command[i]!;
    const name = word.split("=")[0]!;
    if (OUTPUT_OPTIONS.has(name)) {
      if (OPTIONS_WITH_VALUE.has(word)) i++;
      continue;
    }
    words.push(word);
  }
  return ["npx", "multipager", ...words].map(shellWord).join(" ");
}

/** A table cell: code, pipes escaped (GFM needs that even inside code spans), lines joined by <br>. */
function cell(lines: readonly string[]): string {
  if (lines.length === 0) return "(no change)";
  return lines.map((line) => `\`${line.replace(/\|/g, "\\|").replace(/`/g, "'")}\``).join("<br>");
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

function mermaidName(lifeline: Lifeline): string {
  return lifeline.key;
}

function mermaidText(text: string): string {
  // Mermaid ends a message at a newline and treats ';' and '#' specially.
  return text.replace(/[;#\n]/g, " ").replace(/"/g, "'");
}

export function formatMermaid(trace: Trace): string {
  const chart = chartOf(trace);
  const lines = ["sequenceDiagram"];
  for (const lifeline of chart.lifelines) lines.push(`  participant ${mermaidName(lifeline)} as ${mermaidText(`${lifeline.title} (${lifeline.subtitle})`)}`);
  for (const event of chart.events) {
    const label = mermaidText(`${event.step}. ${event.label}`);
    if (isNote(event)) lines.push(`  Note over ${event.from}: ${label}`);
    else lines.push(`  ${event.from}${event.kind === "reply" || event.kind === "resume" ? "-->>" : "->>"}${event.to}: ${label}`);
  }
  if (trace.loop !== undefined) lines.push(`  Note over kernel: back to the state after step ${trace.loop}, forever`);
  lines.push(`  Note over kernel: ${mermaidText(violationLine(trace).replace(/\*\*/g, ""))}`);
  return lines.join("\n");
}

export interface MarkdownOptions {
  /** The trace file as the reader should name it (for the replay command); omitted when unknown. */
  readonly file?: string;
}

export function formatTraceMarkdown(trace: Trace, id: string, options: MarkdownOptions = {}): string {
  const out: string[] = [];
  const length = trace.steps.length - 1;
  out.push(`### Counterexample${startsFromInduction(trace) ? " to induction" : ""} \`${id}\`: ${violationLine(trace).replace(/\*\*/g, "")}`, "");
  out.push("| | |", "| --- | --- |");
  out.push(`| Trace id | \`${id}\` |`);
  out.push(`| Violated | ${violationLine(trace)} |`);
  if (trace.violation.quote !== "") {
    // A spec invariant quotes the paper; a refinement obligation says what failed.
    const label = trace.violation.kind === "refinement" ? "Why" : "The paper";
    out.push(`| ${label} | “${trace.violation.quote.replace(/\|/g, "\\|")}” |`);
  }
  out.push(`| Machine | \`${trace.machine}\` (${trace.kind === "refinement" ? "refinement: concrete kernel against the spec" : "abstract spec"}) |`);
  out.push(`| Configuration | \`${trace.config}\` |`);
  out.push(`| Mutant | ${trace.mutant === null ? "none (the design as specified)" : `\`${trace.mutant}\``} |`);
  if (trace.arch !== undefined) out.push(`| Architecture | \`${trace.arch}\` |`);
  out.push(`| Length | ${length} steps${trace.originalLength !== undefined ? ` (shortened from ${trace.originalLength})` : ""}${trace.loop !== undefined ? `, looping back to the state after step ${trace.loop}` : ""} |`);
  out.push(`| Tool | multipager ${trace.toolVersion} |`);
  out.push("", "Reproduce:", "", "```sh", reproduceCommand(trace));
  out.push(`npx multipager trace replay ${options.file === undefined ? "TRACE.itf.json" : shellWord(options.file)}`, "```", "");

  const refinement = trace.steps.some((step) => step.abstract !== undefined);
  out.push("#### Steps", "");
  if (refinement) {
    out.push("| # | Concrete step | Concrete changes | Abstract image | Abstract changes |", "| ---: | --- | --- | --- | --- |");
  } else {
    out.push("| # | Action | Changes |", "| ---: | --- | --- |");
  }
  const abstractVars = (state: Readonly<Record<string, TraceValue>> | undefined) => (state === undefined ? [] : Object.keys(state));
  trace.steps.forEach((step, index) => {
    const previous = index === 0 ? undefined : trace.steps[index - 1];
    const action = index === 0 ? (startsFromInduction(trace) ? "any state of IndInv (below)" : "initial state (below)") : cell([formatAction(step.action, step.params)]);
    const concrete = index === 0 ? "" : cell(changes(trace.vars, previous?.state, step.state));
    if (!refinement) {
      out.push(`| ${index} | ${action} | ${concrete} |`);
      return;
    }
    const image = step.abstract;
    const abstractAction = image === undefined ? "" : index === 0 ? "initial state" : cell([formatAction(image.action, image.params)]);
    const abstractChanges =
      image === undefined || index === 0 ? "" : cell(changes(abstractVars(image.state), previous?.abstract?.state, image.state));
    out.push(`| ${index} | ${action} | ${concrete} | ${abstractAction} | ${abstractChanges} |`);
  });
  if (trace.loop !== undefined) out.push(`| ${length + 1} | back to the state after step ${trace.loop} |${refinement ? " | | |" : " |"}`);
  out.push("", `After step ${length}${trace.loop !== undefined ? " (and around the loop forever)" : ""}: ${violationLine(trace)} ${trace.violation.kind === "deadlock" ? "is reached" : trace.violation.kind === "witness" ? "acts" : "is violated"}.`);
  out.push("", "#### Sequence chart", "", "```mermaid", formatMermaid(trace), "```", "");
  out.push(`<details><summary>${startsFromInduction(trace) ? "The state of IndInv before the step" : "Initial state"}</summary>`, "", "```tla", ...diffLines(trace.vars, undefined, trace.steps[0]!.state), "```", "", "</details>", "");
  return out.join("\n");
}
