/**
 * The kernel fuzz: seeded random runs of a whole system (fuzzSystem) through
 * the kernel's public entry points only (executeSyscall with raw registers;
 * a user thread's memory access; the zero level's dispatch of a trapped
 * fault; an idle CPU's schedule; the ordinary exception handling restarting
 * a stopped thread), with isolation checked after every step (isolation.ts).
 *
 * A run is a sequence of episodes, each from a fresh boot and its own seed
 * (episodeSeed), so any breach is replayed alone from (seed, architecture,
 * episode). An episode ends after its budget of system calls, or when the
 * system is stuck (every CPU idle with nothing to run), or at a breach.
 * Every count in the report is counted from the run.
 */
import { Random } from "../../model/random.js";
import { ARCH_NAMES, architectures } from "../arch/index.js";
import type { ArchName } from "../arch/index.js";
import { SyscallError, errorName } from "../kernel/errors.js";
import { Kernel } from "../kernel/kernel.js";
import { isUserAddress } from "../kernel/layout.js";
import { decodeSyscall, encodeSyscall, executeSyscall, type RawSyscall } from "../kernel/syscalls.js";
import type { ThreadId } from "../kernel/types.js";
import { buildKernelMachine, type KernelMachine } from "../machine.js";
import { kernelVariant, type KernelMutantName } from "../mutants.js";
import { accessTarget, anyPage } from "./accesses.js";
import { nextCall, type GeneratedCall } from "./calls.js";
import { IsolationCheck } from "./isolation.js";
import { pathTaken, probeBefore } from "./paths.js";
import { bump, emptyReport, type FuzzReport } from "./report.js";

import { fuzzSystem } from "./systems.js";

export interface FuzzOptions {
  readonly arch: ArchName;
  readonly seed: number;
  /** Stop after this many system calls. */
  readonly calls: number;
  /** Start at this episode (a breach's replay). Default 0. */
  readonly firstEpisode?: number;
  /** Run at most this many episodes. */
  readonly episodes?: number;
  /** Each step as a line, as it happens (for a replay). */
  readonly onStep?: (line: string) => void;
  /** Plant a seeded kernel bug (impl/mutants.ts), to see the checks catch it. */
  readonly mutant?: KernelMutantName;
  /** After every episode, the report so far (a long run's progress). */
  readonly onEpisode?: (report: FuzzReport) => void;
}

/** Calls an episode may make: drawn from this range, so short and long histories both occur. */
const EPISODE_CALLS = { min: 40, max: 400 } as const;
/** The chance that a running client touches memory instead of calling the kernel (pagers touch memory less). */
const CLIENT_ACCESS = 0.55;
const PAGER_ACCESS = 0.05;
/** The chance per step that the ordinary exception handling restarts a stopped thread. */
const RESTART = 0.08;
const TRACE_DEPTH = 12;

/**
 * How a step ended, for what must be checked after it: "kernel" when it ran
 * kernel code that writes memory (a system call, a dispatch); "access" when a
 * user access went through the MMU (which fills TLBs and sets A/D bits);
 * "scheduler" when only thread statuses, the run queue and a CPU's CR3 (whose
 * load only empties its TLB) changed, which no isolation property reads.
 */
type StepOutcome = "kernel" | "access" | "scheduler" | "stuck" | "breach";

function mix32(value: number): number {
  let x = value >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** The seed of one episode of one architecture's run: a mix of the run's seed, the architecture and the episode number. */
export function episodeSeed(seed: number, arch: ArchName, episode: number): number {
  const high = mix32(Math.floor(seed / 2 ** 32) ^ mix32(ARCH_NAMES.indexOf(arch) + 0x9e3779b9));
  const low = mix32((seed >>> 0) ^ mix32(high ^ mix32(episode)));
  return (mix32(high ^ episode) & 0x1f_ffff) * 2 ** 32 + low;
}

const hex = (n: number): string => (Number.isInteger(n) && n >= 0 ? `0x${n.toString(16)}` : String(n));
const formatRaw = (raw: RawSyscall): string => `call ${hex(raw.number)}(${raw.args.map(hex).join(", ")})`;

function stoppedThreads(k: Kernel): ThreadId[] {
  const result: ThreadId[] = [];
  k.state.threads.forEach((s, t) => {
    if (s.tag === "stopped") result.push(t);
  });
  return result;
}

class Episode {
  private readonly random: Random;
  private readonly k: Kernel;
  private readonly check: IsolationCheck;
  private readonly trace: string[] = [];
  /** The calls this episode may make. */
  readonly budget: number;
  steps = 0;
  calls = 0;

  constructor(
    private readonly options: FuzzOptions,
    private readonly machine: KernelMachine,
    private readonly report: FuzzReport,
    readonly number: number,
  ) {
    this.random = new Random(episodeSeed(options.seed, options.arch, number));
    this.budget = EPISODE_CALLS.min + this.random.below(EPISODE_CALLS.max - EPISODE_CALLS.min + 1);
    const variant = kernelVariant(architectures[options.arch], options.mutant);
    this.k = Kernel.boot(machine.config, variant.arch, variant.rules);
    this.check = new IsolationCheck(this.k, machine);
  }

  private note(line: string): void {
    if (this.trace.length === TRACE_DEPTH) this.trace.shift();
    this.trace.push(line);
  }

  private breach(message: string): "breach" {
    this.report.breaches.push({
      arch: this.options.arch,
      seed: this.options.seed,
      episode: this.number,
      step: this.steps,
      message,
      lastSteps: [...this.trace],
    });
    return "breach";
  }

  /** Runs until `callBudget` calls, a stuck system or a breach. */
  run(callBudget: number): "done" | "stuck" | "breach" {
    while (this.calls < callBudget) {
      this.steps++;
      let outcome: StepOutcome;
      try {
        outcome = this.step();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return this.breach(`the kernel threw at step ${this.steps} (${this.trace.at(-1) ?? "first step"}): ${message}`);
      }
      if (this.trace.length > 0) this.options.onStep?.(this.trace[this.trace.length - 1]!);
      if (outcome === "stuck" || outcome === "breach") return outcome;
      if (outcome === "scheduler") continue;
      let broken: string | null;
      try {
        broken = this.check.afterStep(this.k, outcome === "kernel");
      } catch (error) {
        broken = `checking isolation threw after step ${this.steps}: ${error instanceof Error ? error.message : String(error)}`;
      }
      if (broken !== null) return this.breach(broken);
    }
    return "done";
  }

  private step(): StepOutcome {
    const { k, random } = this;
    const stopped = stoppedThreads(k);
    const somethingReady = k.state.ready.some((t) => k.runnable(t));
    // A CPU that can do something: it runs a thread, or it is idle and a thread is ready (or stopped, to be restarted).
    const able = k.state.cpus.filter((c) => k.threadOn(c.id) !== null || somethingReady || stopped.length > 0).map((c) => c.id);
    if (able.length === 0) return "stuck";
    const cpu = able[random.below(able.length)]!;
    if (stopped.length > 0 && random.below(1000) < RESTART * 1000) {
      const thread = stopped[random.below(stopped.length)]!;
      this.note(`thread ${thread}: restarted by the exception handling`);
      k.handleException(thread);
      return "scheduler";
    }
    const thread = k.threadOn(cpu);
    if (thread === null) {
      const next = somethingReady ? k.schedule(cpu) : null;
      if (next !== null) {
        this.note(`cpu ${cpu}: schedules thread ${next}`);
        return "scheduler";
      }
      const restart = stopped[random.below(stopped.length)]!;
      this.note(`thread ${restart}: restarted by the exception handling`);
      k.handleException(restart);
      return "scheduler";
    }
    if (k.status(thread).tag === "trapped") {
      const { outcome } = k.dispatch(cpu);
      this.note(`cpu ${cpu}: dispatches thread ${thread}'s fault: ${outcome.kind}${outcome.kind === "general-protection" ? ` (${outcome.reason})` : ""}`);
      return "kernel";
    }
    const accessChance = k.roleOf(thread) === "runtime" ? 0 : k.isPager(thread) ? PAGER_ACCESS : CLIENT_ACCESS;
    const target = accessChance === 0 ? null : accessTarget(k, thread, random);
    if (target !== null && random.below(1000) < accessChance * 1000) return this.access(cpu, thread, target);
    const next = nextCall(k, thread, random);
    if (next !== null) return this.call(cpu, thread, next);
    // Nothing to ask the kernel for: the thread goes on with its own work (which may fault), or gives up its CPU.
    if (target !== null) return this.access(cpu, thread, target);
    return random.below(2) === 0 ? this.access(cpu, thread, anyPage(k, random)) : this.call(cpu, thread, { raw: encodeSyscall({ call: "Yield" }), source: "guided" });
  }

  private access(cpu: number, thread: ThreadId, linear: number): StepOutcome {
    const { k, random } = this;
    const write = random.below(2) === 1;
    // Mostly zero: a frame nobody wrote a non-zero word to costs nothing to copy and compare.
    const value = random.below(4) === 0 ? random.nextUint32() : 0;
    const result = k.access(cpu, linear, write ? "write" : "read", value);
    this.note(`cpu ${cpu}: thread ${thread} ${write ? "writes" : "reads"} ${hex(linear)}${isUserAddress(k.layout, linear) ? "" : " (kernel part)"}: ${result.hit ? "hit" : "trap"}`);
    return "access";
  }

  private call(cpu: number, thread: ThreadId, { raw, source }: GeneratedCall): StepOutcome {
    const { k, report } = this;
    const decoded = decodeSyscall(raw);
    const call = typeof decoded === "number" ? null : decoded;
    const expectation = this.check.beforeCall(k, thread, call);
    const probe = probeBefore(k, thread, call);
    this.note(`cpu ${cpu}: thread ${thread} ${formatRaw(raw)} [${source}]`);
    const result = executeSyscall(k, cpu, raw);
    this.calls++;
    report.calls++;
    report.sources[source].calls++;
    const ok = result.error === SyscallError.Ok;
    this.trace[this.trace.length - 1] += ` -> ${errorName(result.error)}`;
    const broken = this.check.afterCall(k, thread, ok, expectation);
    if (broken !== null) return this.breach(broken);
    if (!ok) {
      bump(report.errors, errorName(result.error));
      return "kernel";
    }
    report.sources[source].ok++;
    const done = result.call!;
    bump(report.successes, done.call);
    const path = pathTaken(k, done, probe);
    if (path !== null) report.paths[path]++;
    return "kernel";
  }
}

/** Fuzzes `options.arch` for `options.calls` system calls (or the episodes asked for), checking isolation after every step. */
export function fuzzKernel(options: FuzzOptions): FuzzReport {
  const started = performance.now();
  const machine = buildKernelMachine(fuzzSystem(options.arch), architectures[options.arch], options.mutant);
  const report = emptyReport(options.arch, options.seed);
  const first = options.firstEpisode ?? 0;
  for (let number = first; report.calls < options.calls; number++) {
    if (options.episodes !== undefined && number - first >= options.episodes) break;
    const episode = new Episode(options, machine, report, number);
    const end = episode.run(Math.min(episode.budget, options.calls - report.calls));
    report.episodes++;
    report.steps += episode.steps;
    if (end === "stuck") report.stuckEpisodes++;
    report.seconds = (performance.now() - started) / 1000;
    options.onEpisode?.(report);
  }
  report.seconds = (performance.now() - started) / 1000;
  return report;
}
