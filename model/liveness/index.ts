/** Liveness checking: temporal properties under fairness, with lasso counterexamples (docs/liveness.md). */
export type { Fairness, FairnessKind, TemporalProperty } from "./temporal.js";
export {
  checkLiveness,
  type ClosingStep,
  type LiveMachine,
  type LivenessOptions,
  type LivenessResult,
  type LivenessStatistics,
  type PropertyVerdict,
} from "./check.js";
export type { FairnessInstance } from "./fairness-labels.js";
export { CYCLE_MARKER, formatInstance, formatLassoText, type LassoContext } from "./lasso-text.js";
export { formatLivenessStatistics, withLivenessStatistics } from "./report.js";
