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
import { traceId, type Trace } from "../model/trace.js";
import { ExitCode } from "./exit-codes.js";

export const REPORT_FORMAT = "multipager-report";
export const REPORT_VERSION = 1;

const Count = Schema.Number.pipe(Schema.int(), Schema.nonNegative());
const Seconds = Schema.Number.pipe(Schema.nonNegative());

export const VERDICTS = ["ok", "deadlock", "safety", "liveness", "budget", "mismatch"] as const;
export type Verdict = (typeof VERDICTS)[number];

const ViolationSchema = Schema.Struct({
  kind: Schema.Literal("invariant", "deadlock", "liveness", "refinement"),
  name: Schema.String,
  quote: Schema.String,
});

export const CounterexampleSchema = Schema.Struct({
  id: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{12}$/)),
  /** Where the trace was written; null when it could not be written (the reason is on stderr). */
  file: Schema.NullOr(Schema.String),
  violation: ViolationSchema,
  /** Steps after the initial state. */
  steps: Count,
  /** A shortened simulation trace: its steps before shortening. */
  originalSteps: Schema.optional(Count),
  /** A lasso: the 0-based index of the state the cycle returns to. */
  loop: Schema.optional(Count),
});

const CoverageSchema = Schema.Struct({ action: Schema.String, firings: Count, distinct: Schema.optional(Count) });

export const SearchSchema = Schema.Struct({
  initialStates: Count,
  generated: Count,
  distinct: Count,
  queue: Count,
  depth: Count,
  /** Every reachable state was explored (violating states are not expanded). */
  complete: Schema.Boolean,
  /** What stopped the search early, in words, or null. */
  budget: Schema.NullOr(Schema.String),
  symmetry: Schema.Boolean,
  workers: Count,
  outdegree: Schema.NullOr(Schema.Struct({ average: Schema.Number, minimum: Count, maximum: Count, percentile95: Count })),
  collisionProbability: Schema.Number,
  coverage: Schema.Array(CoverageSchema),
  /** `--liveness`: the state graph's transitions, the strongly connected components examined, and each temporal property's verdict. */
  temporal: Schema.optional(
    Schema.Struct({
      transitions: Count,
      componentsExamined: Count,
      properties: Schema.Array(Schema.Struct({ name: Schema.String, formula: Schema.String, instances: Count, pendingStates: Count, holds: Schema.Boolean })),
    }),
  ),
});

export const SimulationSchema = Schema.Struct({
  runs: Count,
  generated: Count,
  longestRun: Count,
  coverage: Schema.Array(CoverageSchema),
});

export const PropertyBasedSchema = Schema.Struct({
  runs: Count,
  commands: Count,
  /** fast-check's path of the shrunk failure, with the seed the replay's --path. */
  path: Schema.NullOr(Schema.String),
  shrinks: Schema.NullOr(Count),
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
      paper: Schema.NullOr(SwitchesSchema),
      raced: SwitchesSchema,
      generalProtection: SwitchesSchema,
      regionTableBytes: Schema.Struct({ kernel: Count, user: Count }),
    }),
  ),
});

export const ReportSchema = Schema.Struct({
  format: Schema.Literal(REPORT_FORMAT),
  version: Schema.Literal(REPORT_VERSION),
  tool: Schema.Struct({ name: Schema.Literal("multipager"), version: Schema.String }),
  /** The command and its arguments, as typed after `multipager`. */
  command: Schema.String,
  argv: Schema.Array(Schema.String),
  verdict: Schema.Literal(...VERDICTS),
  exitCode: Count,
  /** What was checked. */
  subject: Schema.Struct({
    machine: Schema.optional(Schema.String),
    config: Schema.optional(Schema.String),
    mutant: Schema.optional(Schema.NullOr(Schema.String)),
    arch: Schema.optional(Schema.String),
    cpus: Schema.optional(Count),
  }),
  mode: Schema.Literal("exhaustive", "simulation", "liveness", "property-based", "measurement"),
  /** The seed of a random run (simulation, property-based, the simulation after a memory budget), else null. */
  seed: Schema.NullOr(Count),
  /** The properties checked (after --inv / --no-inv / --temporal / --no-temporal). */
  properties: Schema.optional(Schema.Struct({ invariants: Schema.Array(Schema.String), temporal: Schema.Array(Schema.String), deadlock: Schema.Boolean })),
  search: Schema.optional(SearchSchema),
  simulation: Schema.optional(SimulationSchema),
  propertyBased: Schema.optional(PropertyBasedSchema),
  table1: Schema.optional(Table1Schema),
  timing: Schema.Struct({
    /** The whole command, wall clock. */
    seconds: Seconds,
    /** The search (or simulation) alone, and its rate. */
    searchSeconds: Schema.optional(Seconds),
    statesPerSecond: Schema.optional(Seconds),
    peakMemoryBytes: Schema.optional(Count),
  }),
  /** Shortest first. */
  counterexamples: Schema.Array(CounterexampleSchema),
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
