/**
 * The machine-readable summary of a run (`--json FILE`, `--json -` for
 * standard output) for CI: verdict and exit code, what was checked, the
 * search's counts, depth and coverage, timing, the seed, and every
 * counterexample's id and trace file. One schema for every command that
 * checks something (check, refine, table1; prove reuses it): a command fills
 * the sections that apply to it. docs/json-report.md documents each field;
 * docs/json-report.schema.json is the same schema as JSON Schema, generated
 * from this one (a test keeps them equal).
 */
import { JSONSchema, Schema } from "effect";
import { match } from "ts-pattern";
import type { CheckResult, SimulationResult } from "../model/statistics.js";
import type { LivenessStatistics } from "../model/liveness/check.js";
import { traceId, type Trace } from "../model/trace.js";
import { ExitCode } from "./exit-codes.js";
import { signalExitCode } from "./interrupt.js";

export const REPORT_FORMAT = "multipager-report";
export const REPORT_VERSION = 1;

/** A field's schema with its description, which the generated JSON Schema carries. */
const described = <A, I>(schema: Schema.Schema<A, I>, description: string): Schema.Schema<A, I> => schema.annotations({ description });

const Count = Schema.Number.pipe(Schema.int(), Schema.nonNegative());
const Seconds = Schema.Number.pipe(Schema.nonNegative());

export const VERDICTS = ["ok", "deadlock", "safety", "liveness", "budget", "mismatch", "interrupted", "unknown"] as const;
export type Verdict = (typeof VERDICTS)[number];

const ViolationSchema = Schema.Struct({
  kind: described(
    Schema.Literal("invariant", "deadlock", "liveness", "refinement", "witness"),
    "What was violated: an invariant, deadlock freedom, a temporal property (a lasso), a refinement obligation; or, for a decision's witness, the decision that acts.",
  ),
  name: described(Schema.String, "The invariant, property or obligation (Deadlock for a deadlock)."),
  quote: described(Schema.String, "The sentence of the paper (or the obligation) it encodes."),
});

export const CounterexampleSchema = Schema.Struct({
  id: described(Schema.String.pipe(Schema.pattern(/^[0-9a-f]{12}$/)), "The trace's stable id: a hash of its content, the same for the same bug."),
  file: described(Schema.NullOr(Schema.String), "Where the ITF trace was written; null when it could not be written (the reason is on stderr)."),
  violation: ViolationSchema,
  steps: described(Count, "Steps after the initial state."),
  originalSteps: Schema.optional(described(Count, "A shortened simulation trace: its steps before shortening.")),
  loop: Schema.optional(described(Count, "A lasso: the 0-based index of the state the cycle returns to.")),
});

const CoverageSchema = Schema.Struct({
  action: Schema.String,
  firings: described(Count, "Successors the action generated (simulation: steps it took)."),
  distinct: Schema.optional(described(Count, "Of those, new distinct states.")),
});

export const SearchSchema = Schema.Struct({
  initialStates: Count,
  generated: described(Count, "Initial states plus every successor computed, duplicates included (TLC's states generated)."),
  distinct: described(Count, "Distinct states found (orbits, with symmetry reduction)."),
  queue: described(Count, "States found but not expanded when the search stopped."),
  depth: described(Count, "States on the longest shortest path, the initial state counting 1 (TLC's depth)."),
  complete: described(Schema.Boolean, "Every reachable state was explored (violating states are not expanded)."),
  budget: described(Schema.NullOr(Schema.String), "What stopped the search early, in words, or null."),
  symmetry: Schema.Boolean,
  workers: Count,
  outdegree: described(Schema.NullOr(Schema.Struct({ average: Schema.Number, minimum: Count, maximum: Count, percentile95: Count })), "Successors per expanded state; null when none was expanded."),
  collisionProbability: described(Schema.Number, "TLC's optimistic estimate that two states shared a fingerprint."),
  coverage: Schema.Array(CoverageSchema),
  temporal: Schema.optional(
    described(
      Schema.Struct({
        transitions: Count,
        componentsExamined: Count,
        properties: Schema.Array(Schema.Struct({ name: Schema.String, formula: Schema.String, instances: Count, pendingStates: Count, holds: Schema.Boolean })),
      }),
      "--liveness: the state graph's transitions, the strongly connected components examined, and each temporal property's verdict.",
    ),
  ),
});

export const SimulationSchema = Schema.Struct({
  runs: described(Count, "Random walks done."),
  generated: described(Count, "States visited by the walks, initial states included."),
  longestRun: described(Count, "Steps of the longest walk."),
  coverage: Schema.Array(CoverageSchema),
});

export const PropertyBasedSchema = Schema.Struct({
  runs: described(Count, "Command sequences tried."),
  commands: described(Count, "Commands run in all."),
  path: described(Schema.NullOr(Schema.String), "fast-check's path of the shrunk failure: with the seed, refine --path replays it."),
  shrinks: described(Schema.NullOr(Count), "Shrinking steps to the reported failure."),
});

const SwitchesSchema = Schema.Struct({ mode: Count, context: Count });
export const Table1Schema = Schema.Struct({
  table: Schema.Literal("I"),
  unit: Schema.String,
  matchesPaper: Schema.Boolean,
  mismatches: Schema.Array(Schema.String),
  rows: Schema.Array(
    Schema.Struct({
      arch: Schema.String,
      title: Schema.String,
      plain: Schema.Struct({ mode: Count, context: Count, faults: Count }),
      paper: described(Schema.NullOr(SwitchesSchema), "The paper's figures, null for a row the paper does not have."),
      raced: SwitchesSchema,
      generalProtection: SwitchesSchema,
      regionTableBytes: Schema.Struct({ kernel: Count, user: Count }),
    }),
  ),
});

export const ProofSchema = Schema.Struct({
  solver: described(Schema.String, "The solver and its version, e.g. z3 5.1.0."),
  sizes: described(Schema.String, "The sizes the obligations are stated for, in words."),
  invariants: described(Schema.Array(Schema.String), "The claims: IndInv implies each."),
  lemmas: described(Schema.Array(Schema.String), "The strengthening lemmas, conjuncts of IndInv with the invariants and TypeOK."),
  obligations: Schema.Array(
    Schema.Struct({
      kind: described(Schema.Literal("init", "step", "implies"), "Init => C, IndInv /\\ action => C', or IndInv => invariant."),
      action: Schema.NullOr(Schema.String),
      property: described(Schema.String, "The conjunct of IndInv (init, step) or the invariant (implies)."),
      status: Schema.Literal("proved", "failed", "unknown"),
      seconds: Seconds,
      unchanged: described(Schema.Boolean, "Proved without the solver: the action writes none of the property's variables."),
    }),
  ),
});

const BoundedSchema = Schema.Struct({
  solver: Schema.String,
  sizes: described(Schema.String, "The sizes searched (symbolic: every configuration of those sizes)."),
  maxDepth: described(Count, "K of --bmc K."),
  depths: Schema.Array(
    Schema.Struct({
      depth: described(Count, "Steps from the initial state."),
      result: described(Schema.Literal("none", "violation", "unknown"), "Whether some state at this depth breaks an invariant."),
      seconds: Seconds,
    }),
  ),
});

export const ReportSchema = Schema.Struct({
  format: Schema.Literal(REPORT_FORMAT),
  version: described(Schema.Literal(REPORT_VERSION), "Raised when a field changes meaning or goes away; new optional fields keep it."),
  tool: Schema.Struct({ name: Schema.Literal("multipager"), version: Schema.String }),
  command: described(Schema.String, "The command: check, refine, table1 (prove)."),
  argv: described(Schema.Array(Schema.String), "Everything typed after `multipager`."),
  verdict: described(Schema.Literal(...VERDICTS), "ok, deadlock (exit 11), safety (12), liveness (13), budget (152), mismatch (1: table1 differs from the paper), interrupted (130 SIGINT, 143 SIGTERM), unknown (155: prove could not decide an obligation)."),
  exitCode: described(Count, "The command's exit code."),
  subject: described(
    Schema.Struct({
      machine: Schema.optional(Schema.String),
      config: Schema.optional(Schema.String),
      mutant: Schema.optional(Schema.NullOr(Schema.String)),
      arch: Schema.optional(Schema.String),
      cpus: Schema.optional(Count),
    }),
    "What was checked: the state machine, configuration, seeded bug (null: none), architecture, CPUs.",
  ),
  mode: Schema.Literal("exhaustive", "simulation", "liveness", "property-based", "measurement", "induction", "bounded"),
  seed: described(Schema.NullOr(Count), "The seed of a random run (simulation, property-based, the simulation after a memory budget), else null."),
  properties: Schema.optional(described(Schema.Struct({ invariants: Schema.Array(Schema.String), temporal: Schema.Array(Schema.String), deadlock: Schema.Boolean }), "The properties checked (after --inv / --no-inv / --temporal / --no-temporal), and whether deadlocks count.")),
  search: Schema.optional(described(SearchSchema, "An exhaustive search's figures, as its statistics print them.")),
  simulation: Schema.optional(SimulationSchema),
  propertyBased: Schema.optional(PropertyBasedSchema),
  table1: Schema.optional(described(Table1Schema, "table1: the table, as --format json prints it.")),
  proof: Schema.optional(described(ProofSchema, "prove: every obligation's outcome and time, and the sizes covered.")),
  bounded: Schema.optional(described(BoundedSchema, "prove --bmc: each depth's outcome and time, and the sizes searched.")),
  timing: Schema.Struct({
    seconds: described(Seconds, "The whole command, wall clock."),
    searchSeconds: Schema.optional(described(Seconds, "The search (or simulation) alone.")),
    statesPerSecond: Schema.optional(described(Seconds, "States generated per second of the search.")),
    peakMemoryBytes: Schema.optional(described(Count, "Peak resident memory of the process.")),
  }),
  counterexamples: described(Schema.Array(CounterexampleSchema), "Every counterexample, shortest first (one unless check --continue / --max-error)."),
});

export type RunReport = Schema.Schema.Type<typeof ReportSchema>;
export type Counterexample = Schema.Schema.Type<typeof CounterexampleSchema>;

/** The report's schema as JSON Schema (docs/json-report.schema.json). */
export function reportJsonSchema(): object {
  return JSONSchema.make(ReportSchema);
}

export function verdictOf(code: number): Verdict {
  return match(code)
    .with(ExitCode.Ok, () => "ok" as const)
    .with(ExitCode.Deadlock, () => "deadlock" as const)
    .with(ExitCode.Safety, () => "safety" as const)
    .with(ExitCode.Liveness, () => "liveness" as const)
    .with(ExitCode.Budget, () => "budget" as const)
    .with(ExitCode.Mismatch, () => "mismatch" as const)
    .with(signalExitCode("SIGINT"), signalExitCode("SIGTERM"), () => "interrupted" as const)
    .with(ExitCode.Undecided, () => "unknown" as const)
    .otherwise(() => {
      throw new Error(`exit code ${code} is not a verdict`);
    });
}

/** A written (or unwritable: file null) trace as a report entry. */
export function counterexampleOf(trace: Trace, file: string | null): Counterexample {
  return {
    id: traceId(trace),
    file,
    violation: { kind: trace.violation.kind, name: trace.violation.name, quote: trace.violation.quote },
    steps: trace.steps.length - 1,
    ...(trace.originalLength !== undefined ? { originalSteps: trace.originalLength } : {}),
    ...(trace.loop !== undefined ? { loop: trace.loop } : {}),
  };
}

export function searchOf(result: CheckResult): Schema.Schema.Type<typeof SearchSchema> {
  const s = result.statistics;
  return {
    initialStates: s.initialStates,
    generated: s.generated,
    distinct: s.distinct,
    queue: s.queue,
    depth: s.depth,
    complete: s.queue === 0 && result.budget === undefined && (result.status === "ok" || (result.violations !== undefined && result.violations.length < result.violationLimit!)),
    budget: result.budget ?? null,
    symmetry: s.symmetry === true,
    workers: s.workers ?? 1,
    outdegree: s.outdegree ?? null,
    collisionProbability: s.collisionProbability,
    coverage: s.coverage.map((c) => ({ action: c.action, firings: c.firings, distinct: c.distinct })),
  };
}

/** --liveness: the temporal section of a search (empty when the liveness analysis did not run). */
export function temporalOf(liveness: LivenessStatistics | undefined): Pick<Schema.Schema.Type<typeof SearchSchema>, "temporal"> {
  if (liveness === undefined) return {};
  return {
    temporal: {
      transitions: liveness.edges,
      componentsExamined: liveness.componentsExamined,
      properties: liveness.properties.map((p) => ({ name: p.name, formula: p.formula, instances: p.instances, pendingStates: p.pendingStates, holds: p.holds })),
    },
  };
}

/** The search's own time, rate and memory. */
export function searchTiming(statistics: { seconds: number; statesPerSecond: number; peakMemoryBytes?: number }): Omit<RunReport["timing"], "seconds"> {
  return {
    searchSeconds: statistics.seconds,
    statesPerSecond: statistics.statesPerSecond,
    ...(statistics.peakMemoryBytes !== undefined ? { peakMemoryBytes: statistics.peakMemoryBytes } : {}),
  };
}

export function simulationOf(result: SimulationResult): Schema.Schema.Type<typeof SimulationSchema> {
  const s = result.statistics;
  return { runs: s.runs, generated: s.generated, longestRun: s.longestRun, coverage: s.coverage.map((c) => ({ action: c.action, firings: c.firings })) };
}

/** The report as the file holds it: validated against the schema (a report that breaks it is a bug here), two-space JSON. */
export function formatReport(report: RunReport): string {
  return `${JSON.stringify(Schema.encodeSync(ReportSchema)(report), null, 2)}\n`;
}

/** A report read back (tests, and whoever consumes it in TypeScript): throws with the first problem when it breaks the schema. */
export function parseReport(text: string): RunReport {
  return Schema.decodeUnknownSync(ReportSchema, { onExcessProperty: "error" })(JSON.parse(text));
}
