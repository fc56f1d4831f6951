/** The model checker's public interface (see docs/checker.md). */
export type { ActionParams, Invariant, StateMachine, Step, TraceValue } from "./machine.js";
export type { Trace, TraceStep, Violation, ViolationKind } from "./trace.js";
export { TRACE_FORMAT_VERSION, canonicalJson, traceId } from "./trace.js";
export { InputError, type InputErrorKind } from "./input-error.js";
export { writeFileAtomic } from "./atomic-write.js";
export { check, DEADLOCK, type CheckOptions } from "./check.js";
export { simulate, DEFAULT_SIMULATION_DEPTH, DEFAULT_SIMULATION_RUNS, type SimulateOptions } from "./simulate.js";
export { Random, freshSeed, MAX_SEED } from "./random.js";
export type { ActionCoverage, CheckResult, CheckStatistics, Outdegree, Progress, RunStatus, SimulationResult, SimulationStatistics } from "./statistics.js";
export { actionsNeverFired } from "./statistics.js";
export { StateStore, NO_STATE } from "./state-store.js";
export { collisionProbability, fingerprint } from "./fingerprint.js";
export { formatItf, parseItf, readItf, toItf, writeItf } from "./itf.js";
export { diffLines, formatAction, formatTraceText, formatValue, formatViolation } from "./trace-text.js";
export { formatProgress, formatSimulationStatistics, formatStatistics } from "./report.js";
export { terminalProgress, type ProgressLine } from "./progress.js";
export {
  checkLiveness,
  CYCLE_MARKER,
  formatLassoText,
  formatLivenessStatistics,
  type ClosingStep,
  type Fairness,
  type FairnessKind,
  type LiveMachine,
  type LivenessOptions,
  type LivenessResult,
  type LivenessStatistics,
  type TemporalProperty,
} from "./liveness/index.js";
