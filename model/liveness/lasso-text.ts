/**
 * A lasso as text, in TLC's layout (the violated property, then the
 * behaviour state by state, printing only what changed, and "Back to state
 * N" at the end), with the start of the cycle marked so the eye finds where
 * the behaviour starts repeating.
 */
import type { ActionParams } from "../machine.js";
import type { Trace } from "../trace.js";
import { diffLines, formatAction, formatViolation } from "../trace-text.js";
import type { ClosingStep } from "./check.js";

export const CYCLE_MARKER = "-- cycle starts here: the behaviour repeats from the next state forever --";

export interface LassoContext {
  /** How the lasso closes; unknown when read back from an ITF file without the machine. */
  readonly closing?: ClosingStep;
  readonly formula?: string;
  readonly instance?: ActionParams;
}

export function formatInstance(instance: ActionParams): string {
  const entries = Object.entries(instance);
  return entries.length === 0 ? "" : formatAction("", instance).slice(1, -1);
}

/** The lasso trace (trace.loop set) as TLC-style text, ending with a newline. */
export function formatLassoText(trace: Trace, context: LassoContext = {}): string {
  const loop = trace.loop ?? trace.steps.length - 1;
  const lines = [...formatViolation(trace.violation)];
  if (context.formula !== undefined) lines.push(`  ${context.formula}`);
  if (context.instance !== undefined && Object.keys(context.instance).length > 0) {
    lines.push(`  violated for ${formatInstance(context.instance)}`);
  }
  lines.push("Error: The behavior up to this point is:");
  trace.steps.forEach((step, index) => {
    if (index === loop) lines.push(CYCLE_MARKER);
    const previous = index === 0 ? undefined : trace.steps[index - 1]!.state;
    const label = step.action === "Init" && index === 0 ? "<Initial predicate>" : `<${formatAction(step.action, step.params)}>`;
    lines.push(`State ${index + 1}: ${label}`);
    const changes = diffLines(trace.vars, previous, step.state);
    lines.push(...(changes.length === 0 ? ["(no variable changed)"] : changes), "");
  });
  const next = trace.steps.length + 1;
  const closing = context.closing;
  if (closing === "stutter") {
    lines.push(`State ${next}: Stuttering`, `(state ${loop + 1} repeats forever: no fairly scheduled action is enabled there)`, "");
  } else if (closing !== undefined) {
    lines.push(`State ${next}: <${formatAction(closing.action, closing.params)}> Back to state ${loop + 1}`, "");
  } else {
    lines.push(`State ${next}: Back to state ${loop + 1}`, "");
  }
  return lines.join("\n");
}
