/**
 * A refinement trace as text: TLC's layout (the violation, then each state),
 * with each concrete step beside the abstract image of its state. The
 * concrete column lists what changed in the kernel's variables, the abstract
 * column what changed in the spec's; the step's abstract move is named
 * under the concrete label.
 */
import { diffLines, formatAction, formatTraceText, type StateBody } from "../model/trace-text.js";
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

/** A refinement state: its abstract move, then what changed on each side, side by side. */
const twoColumns =
  (vars: readonly string[]): StateBody =>
  (previous, current, closing) => {
    const moves = previous !== undefined && !closing && current.abstract !== undefined ? [`  maps to: <${formatAction(current.abstract.action, current.abstract.params)}>`] : [];
    const concrete = diffLines(vars, previous?.state, current.state);
    const abstract = current.abstract === undefined ? [] : diffLines(SPEC_VARIABLES, previous?.abstract?.state, current.abstract.state);
    return [...moves, ...columns(concrete.length === 0 ? ["(no variable changed)"] : concrete, abstract.length === 0 ? ["(no variable changed)"] : abstract)];
  };

export function formatRefinementTrace(trace: Trace): string {
  return formatTraceText(trace, twoColumns(trace.vars));
}
