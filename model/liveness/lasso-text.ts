/**
 * A lasso as text: model/trace-text.ts's formatTraceText, which marks the
 * cycle and ends with its closing step, given a trace whose lasso details
 * (closing step, formula, failing instance) are not yet in it.
 */
import type { ActionParams } from "../machine.js";
import type { ClosingStep, Trace } from "../trace.js";
import { formatTraceText } from "../trace-text.js";

export { CYCLE_MARKER, formatInstance } from "../trace-text.js";

export interface LassoContext {
  readonly closing?: ClosingStep;
  readonly formula?: string;
  readonly instance?: ActionParams;
}

/** The lasso trace (trace.loop set) as TLC-style text, ending with a newline. */
export function formatLassoText(trace: Trace, context: LassoContext = {}): string {
  const violation = {
    ...trace.violation,
    ...(context.formula !== undefined ? { formula: context.formula } : {}),
    ...(context.instance !== undefined ? { instance: context.instance } : {}),
  };
  return formatTraceText({ ...trace, violation, ...(context.closing !== undefined ? { closing: context.closing } : {}), loop: trace.loop ?? trace.steps.length - 1 });
}
