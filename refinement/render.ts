/**
 * A refinement trace as text: TLC's layout (the violation, then each state),
 * with each concrete step beside the abstract image of its state. The
 * concrete column lists what changed in the kernel's variables, the abstract
 * column what changed in the spec's; the step's abstract move is named
 * under the concrete label.
 */
import { diffLines, formatAction, formatViolation } from "../model/trace-text.js";
import type { Trace } from "../model/trace.js";
import { SPEC_VARIABLES } from "../spec/index.js";

/** Lines wider than this in the concrete column push the abstract column below them. */
const COLUMN = 64;

function columns(left: readonly string[], right: readonly string[]): string[] {
  const width = Math.min(COLUMN, Math.max(8, ...left.map((l) => l.length)));
  const rows: string[] = [`  ${"concrete".padEnd(width)} | abstract`];
  const count = Math.max(left.length, right.length);
  for (let i = 0; i < count; i++) {
    const l = left[i] ?? "";
    const r = right[i] ?? "";
    if (l.length > width) {
      rows.push(`  ${l}`);
      if (r !== "") rows.push(`  ${"".padEnd(width)} | ${r}`);
    } else rows.push(`  ${l.padEnd(width)} | ${r}`.trimEnd());
  }
  return rows;
}

export function formatRefinementTrace(trace: Trace): string {
  const lines = [...formatViolation(trace.violation), "Error: The behavior up to this point is:"];
  trace.steps.forEach((step, index) => {
    const previous = index === 0 ? undefined : trace.steps[index - 1]!;
    const label = index === 0 ? "<Initial predicate>" : `<${formatAction(step.action, step.params)}>`;
    lines.push(`State ${index + 1}: ${label}`);
    if (index > 0 && step.abstract !== undefined) lines.push(`  maps to: <${formatAction(step.abstract.action, step.abstract.params)}>`);
    const concrete = diffLines(trace.vars, previous?.state, step.state);
    const abstract = step.abstract === undefined ? [] : diffLines(SPEC_VARIABLES, previous?.abstract?.state, step.abstract.state);
    lines.push(
      ...columns(concrete.length === 0 ? ["(no variable changed)"] : concrete, abstract.length === 0 ? ["(no variable changed)"] : abstract),
    );
    lines.push("");
  });
  return lines.join("\n");
}
