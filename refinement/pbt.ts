/**
 * Property-based refinement testing with fast-check: random command
 * sequences across CPUs and threads drive the concrete kernel; after every
 * step the commuting square and the representation invariants are checked
 * (the same product machine the exhaustive check explores). fast-check
 * shrinks a failing sequence to a minimal one; its seed and path are printed
 * so that `refine --seed S --path P` replays exactly that failure.
 *
 * A command names a kind of step and a CPU, and picks one of the enabled
 * steps of that kind (modulo their number), so every command applies whenever
 * some step of its kind is enabled, and shrinking keeps commands meaningful:
 *   access     the thread on the CPU touches memory (user pages, kernel addresses)
 *   syscall    the thread on the CPU makes a well-formed system call
 *              (reassignment, map, unmap with or without REVOKE_AGREEMENT,
 *              fault replies, receive, yield)
 *   dispatch   the zero level handles the fault trapped on the CPU
 *   schedule   an idle CPU takes the next ready thread
 *   exception  the ordinary exception handling restarts a stopped thread
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
import { cloneState, encodeState } from "../impl/kernel/state.js";
import { executeSyscall } from "../impl/kernel/syscalls.js";
import { kernelMutantNamed } from "../impl/mutants.js";
import type { ActionParams, Step } from "../model/machine.js";
import type { TraceStep, Violation } from "../model/trace.js";
import { brokenObligation } from "./obligations.js";
import { STEP_OBLIGATIONS, traceSteps, type ProductState, type Refinement, type TakenStep } from "./product.js";
import { decodeSyscall } from "../impl/kernel/syscalls.js";

export type Command =
  | { readonly kind: "access" | "syscall"; readonly cpu: number; readonly pick: number }
  | { readonly kind: "dispatch" | "schedule"; readonly cpu: number }
  | { readonly kind: "exception"; readonly pick: number }
  | { readonly kind: "malicious"; readonly cpu: number; readonly number: number; readonly args: readonly number[] };

const SYSCALL_STEPS = new Set(["AssignManager", "ClearManager", "Map", "Unmap", "Resolve", "Resume", "Refuse", "Reflect", "Receive", "Yield"]);

/** Register values a malicious caller tries: small in-range ones and the edges. */
const registerValue = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(0x7fff_ffff, 0x8000_0000, 0xffff_f000, 0xffff_ffff, 1020, 1024) },
);

export function commandArbitrary(cpus: number): fc.Arbitrary<Command> {
  const cpu = fc.integer({ min: 0, max: cpus - 1 });
  const pick = fc.nat({ max: 63 });
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant("access" as const), cpu, pick }) },
    { weight: 5, arbitrary: fc.record({ kind: fc.constant("syscall" as const), cpu, pick }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("dispatch" as const), cpu }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("schedule" as const), cpu }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("exception" as const), pick }) },
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

export interface RunOutcome {
  readonly initial: ProductState;
  /** The labelled steps taken, from the initial state. */
  readonly path: readonly TakenStep[];
  readonly failure: { readonly violation: Violation; readonly extra?: TraceStep } | null;
}

function kindOf(step: Step<ProductState>): string {
  if (step.action === "Access") return "access";
  if (step.action === "Dispatch") return "dispatch";
  if (step.action === "Schedule") return "schedule";
  if (step.action === "HandleException") return "exception";
  return SYSCALL_STEPS.has(step.action) ? "syscall" : "other";
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
  const { product, ctx } = refinement;
  let state = [...product.initialStates()][0]!;
  const initial = state;
  const path: TakenStep[] = [];
  const atInit = stepViolation(state, refinement);
  if (atInit !== null) return { initial, path, failure: { violation: atInit } };
  for (const command of commands) {
    const steps = [...product.successors(state)];
    let chosen: Step<ProductState> | undefined;
    if (command.kind === "malicious") {
      const k = new Kernel(ctx.kernel, ctx.arch, kernelMutantNamed(mutant), cloneState(state.concrete));
      const thread = k.threadOn(command.cpu);
      if (thread === null || k.status(thread).tag !== "running") continue;
      const before = encodeState(state.concrete);
      const { error } = executeSyscall(k, command.cpu, { number: command.number, args: command.args });
      const after = encodeState(k.state);
      if (error !== SyscallError.Ok) {
        if (sameBytes(before, after)) continue;
        const violation: Violation = {
          kind: "refinement",
          name: "RefusedCallChangesNothing",
          quote: `system call ${command.number}(${command.args.join(", ")}) returned ${errorName(error)} but changed the state`,
        };
        return { initial, path, failure: { violation } };
      }
      chosen = steps.find((s) => sameBytes(encodeState(s.state.concrete), after));
      if (chosen === undefined) {
        if (sameBytes(before, after)) continue;
        // A blocking Receive (empty queue) is a step the machine does not enumerate; it is internal.
        const call = decodeSyscall({ number: command.number, args: command.args });
        if (typeof call !== "number" && (call.call === "Receive" || call.call === "Yield")) {
          const params: ActionParams = { thread, cpu: command.cpu };
          chosen = { action: call.call, params, state: refinement.productStep(state, call.call, params, k.state) };
        }
      }
      if (chosen === undefined) {
        const violation: Violation = {
          kind: "refinement",
          name: "NoAbstractCounterpart",
          quote: `system call ${command.number}(${command.args.join(", ")}) succeeded with an effect no labelled step has (${STEP_OBLIGATIONS.NoAbstractCounterpart})`,
        };
        return { initial, path, failure: { violation } };
      }
    } else {
      const candidates = steps.filter(
        (s) => kindOf(s) === command.kind && (command.kind === "exception" || s.params["cpu"] === command.cpu),
      );
      if (candidates.length === 0) continue;
      chosen = "pick" in command ? candidates[command.pick % candidates.length]! : candidates[0]!;
    }
    path.push({ action: chosen.action, params: chosen.params, state: chosen.state });
    state = chosen.state;
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
}

export interface PbtResult {
  readonly seed: number;
  readonly runs: number;
  /** Commands executed over all runs (the sum of sequence lengths tried). */
  readonly commands: number;
  readonly failure?: {
    readonly violation: Violation;
    /** fast-check's path to the shrunk counterexample. */
    readonly path: string;
    readonly shrinks: number;
    readonly commands: readonly Command[];
    readonly steps: readonly TraceStep[];
  };
}

export const DEFAULT_RUNS = 300;
export const DEFAULT_MAX_COMMANDS = 40;

export function propertyCheck(refinement: Refinement, mutant: string | undefined, options: PbtOptions): PbtResult {
  const cpus = refinement.ctx.kernel.cpus;
  let commandsTried = 0;
  const property = fc.property(fc.array(commandArbitrary(cpus), { maxLength: options.maxCommands ?? DEFAULT_MAX_COMMANDS, size: "max" }), (commands) => {
    commandsTried += commands.length;
    return runCommands(refinement, commands, mutant).failure === null;
  });
  const details = fc.check(property, {
    seed: options.seed,
    numRuns: options.runs,
    ...(options.path !== undefined ? { path: options.path } : {}),
  });
  if (!details.failed || details.counterexample === null) {
    if (details.failed) throw new Error(`property-based run failed without a counterexample: ${String(details.errorInstance)}`);
    return { seed: options.seed, runs: details.numRuns, commands: commandsTried };
  }
  const commands = details.counterexample[0];
  const outcome = runCommands(refinement, commands, mutant);
  if (outcome.failure === null) throw new Error("the shrunk counterexample no longer fails (nondeterminism in the kernel?)");
  const steps = traceSteps(refinement, outcome.initial, outcome.path);
  return {
    seed: options.seed,
    runs: details.numRuns,
    commands: commandsTried,
    failure: {
      violation: outcome.failure.violation,
      path: details.counterexamplePath ?? "",
      shrinks: details.numShrinks,
      commands: outcome.path.length === commands.length ? commands : usedCommands(refinement, commands, mutant),
      steps,
    },
  };
}

/** The commands of a failing sequence that took a step (skipped ones dropped), up to the failure. */
function usedCommands(refinement: Refinement, commands: readonly Command[], mutant: string | undefined): Command[] {
  const used: Command[] = [];
  for (const command of commands) {
    const before = runCommands(refinement, used, mutant).path.length;
    const after = runCommands(refinement, [...used, command], mutant);
    if (after.path.length > before || after.failure !== null) used.push(command);
    if (after.failure !== null) break;
  }
  return used;
}
