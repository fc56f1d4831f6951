/**
 * Property-based refinement testing with fast-check: random command
 * sequences across CPUs and threads drive the concrete kernel; after every
 * step the commuting square and the representation invariants are checked
 * (the same product machine the exhaustive check explores). fast-check
 * shrinks a failing sequence to a minimal one; its seed and path are printed
 * so that `refine --seed S --path P` replays exactly that failure.
 *
 * A command names a step by what it does (a CPU, a call, and which of that
 * call's enabled forms) and is skipped when no such step is enabled, so
 * shrinking (dropping commands, lowering values) keeps the meaning of the
 * commands that remain; the shrunk run is then reduced step by step
 * (minimizePath) to a sequence from which no step can be dropped:
 *   access     the thread on the CPU reads or writes a user page or a kernel address
 *   syscall    the thread on the CPU makes a system call the kernel accepts
 *              now (reassignment, map, unmap with or without
 *              REVOKE_AGREEMENT, fault replies, receive, yield): `pick`
 *              chooses among the accepted forms of that call (arguments
 *              over the configuration's domains), so no command is wasted
 *              on arguments the kernel refuses (malicious commands cover
 *              refusals)
 *   dispatch   the zero level handles the fault trapped on the CPU (L4Re: the
 *              kernel's delivery to the region mapper, its decision, its
 *              passing an answer on)
 *   schedule   an idle CPU takes the next ready thread
 *   exception  the ordinary exception handling restarts one of the stopped threads
 *   malicious  the thread on the CPU makes a system call with raw register
 *              values (unknown call numbers, out-of-range regions, frames,
 *              threads, markers, rights): refused without any effect, or
 *              exactly one of the labelled steps
 * Two CPUs running threads of one address space give the Fig. 3 race
 * (thread B's page restored between its fault and its dispatch).
 */
import fc from "fast-check";
import { SyscallError, errorName } from "../impl/kernel/errors.js";
import { Kernel } from "../impl/kernel/kernel.js";
import { cloneState, encodeState, type KernelState } from "../impl/kernel/state.js";
import { executeSyscall } from "../impl/kernel/syscalls.js";
import type { ActionParams, Step } from "../model/machine.js";
import { canonicalJson, type TraceStep, type Violation } from "../model/trace.js";
import { brokenObligation } from "./obligations.js";
import { STEP_OBLIGATIONS, traceSteps, type ProductState, type Refinement, type StepObligationName, type TakenStep } from "./product.js";
import { decodeSyscall } from "../impl/kernel/syscalls.js";

/**
 * A command names the step semantically (which CPU, which call, which of
 * that call's accepted forms), never by its position among all enabled
 * steps: removing an earlier command changes what a later one means only
 * when it changes which forms of that very call are accepted, so fast-check's
 * shrinking converges on short sequences.
 */
export type Command =
  | { readonly kind: "access"; readonly cpu: number; readonly target: number; readonly write: boolean }
  | { readonly kind: "syscall"; readonly cpu: number; readonly call: SyscallKind; readonly pick: number }
  | { readonly kind: "dispatch" | "schedule"; readonly cpu: number }
  | { readonly kind: "exception"; readonly pick: number }
  | { readonly kind: "malicious"; readonly cpu: number; readonly number: number; readonly args: readonly number[] };

export const SYSCALL_KINDS = ["AssignManager", "ClearManager", "Map", "Unmap", "Resolve", "Resume", "Refuse", "Reflect", "Receive", "Yield"] as const;
export type SyscallKind = (typeof SYSCALL_KINDS)[number];

/** Register values a malicious caller tries: small in-range ones and the edges. */
const registerValue = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(0x7fff_ffff, 0x8000_0000, 0xffff_f000, 0xffff_ffff, 1020, 1024) },
);

/** The memory-management calls come most often: they are what the pagers and the race are made of. */
const syscallKind: fc.Arbitrary<SyscallKind> = fc.oneof(
  ...(
    [
      ["Map", 4],
      ["Unmap", 3],
      ["AssignManager", 3],
      ["ClearManager", 2],
      ["Resolve", 3],
      ["Resume", 1],
      ["Refuse", 1],
      ["Reflect", 1],
      ["Receive", 1],
      ["Yield", 2],
    ] as const
  ).map(([call, weight]) => ({ weight, arbitrary: fc.constant(call as SyscallKind) })),
);

export function commandArbitrary(cpus: number): fc.Arbitrary<Command> {
  const cpu = fc.integer({ min: 0, max: cpus - 1 });
  const small = fc.nat({ max: 15 });
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("access" as const), cpu, target: small, write: fc.boolean() }) },
    { weight: 7, arbitrary: fc.record({ kind: fc.constant("syscall" as const), cpu, call: syscallKind, pick: fc.nat({ max: 63 }) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("dispatch" as const), cpu }) },
    // A stopped thread or an idle CPU stalls a run until handled: these come often enough to keep runs going.
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("schedule" as const), cpu }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("exception" as const), pick: fc.nat({ max: 15 }) }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("malicious" as const),
        cpu,
        number: fc.integer({ min: 0, max: 12 }),
        args: fc.array(registerValue, { minLength: 5, maxLength: 5 }),
      }),
    },
  );
}

const FAULT_HANDLING = new Set(["Dispatch", "DeliverFault", "ForwardReply"]);

/** The kernel machine's actions a system call of each kind is labelled with (a Resolve whose mapping is there already is a Resume). */
const CALL_ACTIONS: Readonly<Record<SyscallKind, readonly string[]>> = {
  AssignManager: ["AssignManager"],
  ClearManager: ["ClearManager"],
  Map: ["Map"],
  Unmap: ["Unmap"],
  Resolve: ["Resolve", "Resume"],
  Resume: ["Resume"],
  Refuse: ["Refuse"],
  Reflect: ["Reflect"],
  Receive: ["Receive"],
  Yield: ["Yield"],
};

/** The labelled step a (non-malicious) command asks for among the enabled ones, if any. */
function chosen(refinement: Refinement, command: Exclude<Command, { kind: "malicious" }>, steps: readonly Step<KernelState>[]): Step<KernelState> | undefined {
  const { spec } = refinement.ctx;
  const threads = refinement.ctx.kernel.threads.length;
  const userTargets = spec.regionsPerTask * spec.pagesPerRegion;
  const mod = (value: number, size: number): number => (size <= 0 ? -1 : value % size);
  const is = (step: Step<KernelState>, fields: Record<string, unknown>): boolean => Object.entries(fields).every(([k, v]) => step.params[k] === v);
  switch (command.kind) {
    case "access": {
      const target = mod(command.target, userTargets + spec.kernelAddresses);
      const where =
        target < userTargets
          ? { space: "user", region: Math.floor(target / spec.pagesPerRegion), page: target % spec.pagesPerRegion }
          : { space: "kernel", kernelAddress: target - userTargets };
      return steps.find((s) => s.action === "Access" && is(s, { cpu: command.cpu, access: command.write ? "write" : "read", ...where }));
    }
    case "dispatch":
      // The fault handling on that CPU: the zero level, or for L4Re the kernel's delivery to the
      // region mapper, the region mapper's decision, its passing an answer on.
      return steps.find((s) => FAULT_HANDLING.has(s.action) && s.params["cpu"] === command.cpu);
    case "schedule":
      return steps.find((s) => s.action === "Schedule" && s.params["cpu"] === command.cpu);
    case "exception": {
      // The ordinary exception handling of one of the stopped threads.
      const stopped = steps.filter((s) => s.action === "HandleException");
      return stopped.length === 0 ? undefined : stopped[command.pick % stopped.length];
    }
    case "syscall": {
      const actions = CALL_ACTIONS[command.call];
      const accepted = steps.filter((s) => actions.includes(s.action) && s.params["cpu"] === command.cpu);
      return accepted.length === 0 ? undefined : accepted[command.pick % accepted.length];
    }
  }
}

export interface RunOutcome {
  readonly initial: ProductState;
  /** The labelled steps taken, from the initial state. */
  readonly path: readonly TakenStep[];
  readonly failure: { readonly violation: Violation; readonly extra?: TraceStep } | null;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

function stepViolation(state: ProductState, refinement: Refinement): Violation | null {
  if (state.failure !== null) return { kind: "refinement", name: state.failure.obligation, quote: state.failure.detail };
  const broken = brokenObligation(refinement.ctx, state.concrete);
  if (broken === null) return null;
  return { kind: "refinement", name: broken.obligation.name, quote: `${broken.detail} (obligation: "${broken.obligation.quote}")` };
}

/** Execute a command sequence on the product; stop at the first broken obligation. */
export function runCommands(refinement: Refinement, commands: readonly Command[], mutant: string | undefined): RunOutcome {
  const { product } = refinement;
  let state = [...product.initialStates()][0]!;
  const initial = state;
  const path: TakenStep[] = [];
  const atInit = stepViolation(state, refinement);
  if (atInit !== null) return { initial, path, failure: { violation: atInit } };
  for (const command of commands) {
    // The kernel's enabled steps; only the one taken is checked against the spec (the product's successors would check them all).
    const steps = [...refinement.concrete.successors(state.concrete)];
    let step: Step<KernelState> | undefined;
    if (command.kind === "malicious") {
      const k = refinement.concrete.kernelOver(cloneState(state.concrete));
      const thread = k.threadOn(command.cpu);
      if (thread === null || k.status(thread).tag !== "running") continue;
      const before = encodeState(state.concrete);
      const { error } = executeSyscall(k, command.cpu, { number: command.number, args: command.args });
      const after = encodeState(k.state);
      if (error !== SyscallError.Ok) {
        if (sameBytes(before, after)) continue;
        const violation: Violation = {
          kind: "refinement",
          name: "RefusedCallChangesNothing" satisfies StepObligationName,
          quote: `system call ${command.number}(${command.args.join(", ")}) returned ${errorName(error)} but changed the state`,
        };
        return { initial, path, failure: { violation } };
      }
      step = steps.find((s) => sameBytes(encodeState(s.state), after));
      if (step === undefined) {
        if (sameBytes(before, after)) continue;
        // A blocking Receive (empty queue) is a step the machine does not enumerate; it is internal.
        const call = decodeSyscall({ number: command.number, args: command.args });
        if (typeof call !== "number" && (call.call === "Receive" || call.call === "Yield")) {
          const params: ActionParams = { thread, cpu: command.cpu };
          step = { action: call.call, params, state: k.state };
        }
      }
      if (step === undefined) {
        const violation: Violation = {
          kind: "refinement",
          name: "NoAbstractCounterpart",
          quote: `system call ${command.number}(${command.args.join(", ")}) succeeded with an effect no labelled step has (${STEP_OBLIGATIONS.NoAbstractCounterpart})`,
        };
        return { initial, path, failure: { violation } };
      }
    } else {
      step = chosen(refinement, command, steps);
      if (step === undefined) continue;
    }
    state = refinement.productStep(state, step.action, step.params, step.state);
    path.push({ action: step.action, params: step.params, state });
    const violation = stepViolation(state, refinement);
    if (violation !== null) return { initial, path, failure: { violation } };
  }
  return { initial, path, failure: null };
}

export interface PbtOptions {
  readonly seed: number;
  readonly runs: number;
  /** fast-check's replay path of a reported failure. */
  readonly path?: string | undefined;
  readonly maxCommands?: number;
  /** false: stop at the first failing run, without shrinking it (the kill-rate bench only asks whether a bug is found). */
  readonly shrink?: boolean;
}

export interface PbtResult {
  readonly seed: number;
  readonly runs: number;
  /** Commands executed over all runs (the sum of sequence lengths tried). */
  readonly commands: number;
  /** Commands executed up to the end of the first failing run, before any shrinking (how hard the bug was to find). */
  readonly commandsToFailure?: number;
  readonly failure?: {
    readonly violation: Violation;
    /** fast-check's path to the shrunk counterexample. */
    readonly path: string;
    readonly shrinks: number;
    /** fast-check's shrunk command sequence (the trace's steps are those of it that applied, minimized further). */
    readonly commands: readonly Command[];
    readonly steps: readonly TraceStep[];
  };
}

export const DEFAULT_RUNS = 1000;
/**
 * A seeded bug takes a few steps in the right order (assign, map, fill a
 * TLB, unmap on the other CPU), so its chance per run grows faster than the
 * run's length: 60 commands catch every implementation mutant in well over
 * 99 of 100 seeds with the default runs (docs/bench.md, `npm run bench:kill-rate`).
 */
export const DEFAULT_MAX_COMMANDS = 60;

export function propertyCheck(refinement: Refinement, mutant: string | undefined, options: PbtOptions): PbtResult {
  const cpus = refinement.ctx.kernel.cpus;
  let commandsTried = 0;
  let commandsToFailure: number | undefined;
  const property = fc.property(fc.array(commandArbitrary(cpus), { maxLength: options.maxCommands ?? DEFAULT_MAX_COMMANDS, size: "max" }), (commands) => {
    commandsTried += commands.length;
    const passed = runCommands(refinement, commands, mutant).failure === null;
    if (!passed) commandsToFailure ??= commandsTried;
    return passed;
  });
  const details = fc.check(property, {
    seed: options.seed,
    numRuns: options.runs,
    ...(options.path !== undefined ? { path: options.path } : {}),
    ...(options.shrink === false ? { endOnFailure: true } : {}),
  });
  if (!details.failed || details.counterexample === null) {
    if (details.failed) throw new Error(`property-based run failed without a counterexample: ${String(details.errorInstance)}`);
    return { seed: options.seed, runs: details.numRuns, commands: commandsTried };
  }
  const commands = details.counterexample[0];
  const shrunk = runCommands(refinement, commands, mutant);
  if (shrunk.failure === null) throw new Error("the shrunk counterexample no longer fails (nondeterminism in the kernel?)");
  const outcome = options.shrink === false ? shrunk : minimizePath(refinement, shrunk);
  const steps = traceSteps(refinement, outcome.initial, outcome.path);
  const violation = outcome.failure?.violation ?? shrunk.failure.violation;
  return {
    seed: options.seed,
    runs: details.numRuns,
    commands: commandsTried,
    ...(commandsToFailure !== undefined ? { commandsToFailure } : {}),
    failure: {
      violation,
      path: details.counterexamplePath ?? "",
      shrinks: details.numShrinks,
      commands,
      steps,
    },
  };
}

/** Replay labelled steps, skipping those not enabled; stop at the first broken obligation. */
function runLabels(refinement: Refinement, labels: readonly TakenStep[]): RunOutcome {
  const initial = [...refinement.product.initialStates()][0]!;
  let state = initial;
  const path: TakenStep[] = [];
  const atInit = stepViolation(state, refinement);
  if (atInit !== null) return { initial, path, failure: { violation: atInit } };
  for (const label of labels) {
    const key = `${label.action} ${canonicalJson(label.params)}`;
    let found: Step<ProductState> | undefined;
    for (const step of refinement.product.successors(state)) {
      if (`${step.action} ${canonicalJson(step.params)}` === key) {
        found = step;
        break;
      }
    }
    if (found === undefined) continue;
    path.push(found);
    state = found.state;
    const violation = stepViolation(state, refinement);
    if (violation !== null) return { initial, path, failure: { violation } };
  }
  return { initial, path, failure: null };
}

/**
 * After fast-check's shrinking (which works on commands, whose step choice
 * depends on what is enabled), drop single steps of the failing run while it
 * still fails with the same obligation: a 1-minimal sequence of labelled steps.
 */
function minimizePath(refinement: Refinement, failing: RunOutcome): RunOutcome {
  let best = failing;
  const name = failing.failure!.violation.name;
  const attempt = (labels: readonly TakenStep[]): boolean => {
    const candidate = runLabels(refinement, labels);
    if (candidate.failure?.violation.name !== name || candidate.path.length >= best.path.length) return false;
    best = candidate;
    return true;
  };
  // Single steps first, then pairs (a Yield and the Yield back, a Map and the Unmap of it).
  for (let changed = true; changed; ) {
    changed = false;
    const path = best.path;
    for (let i = 0; i < path.length && !changed; i++) changed = attempt(path.filter((_, k) => k !== i));
    for (let i = 0; i < path.length && !changed; i++)
      for (let j = i + 1; j < path.length && !changed; j++) changed = attempt(path.filter((_, k) => k !== i && k !== j));
  }
  return best;
}
