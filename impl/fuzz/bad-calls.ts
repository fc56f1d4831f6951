/**
 * Bad calls on purpose: typed calls over small domains that straddle the
 * valid ranges; a call with one register out of its range (just past the
 * configuration's bound, at a 32-bit boundary, not a 32-bit word at all, not
 * an encoding of rights or flags) or with registers missing; any call number
 * with any registers. The kernel must answer each with an error code, or do
 * it when it happens to be valid, and never throw.
 */
import { match } from "ts-pattern";
import type { Random } from "../../model/random.js";
import type { Kernel } from "../kernel/kernel.js";
import { RIGHTS_RO, RIGHTS_RW, encodeSyscall, type RawSyscall } from "../kernel/syscalls.js";
import { STOP_REASONS, SYSCALL_NAMES, type Syscall, type ThreadId } from "../kernel/types.js";
import type { Rights } from "../kernel/vm.js";
import { chance, pick, range, weighted } from "./choose.js";

/** Mostly 0..n-1, sometimes exactly n (just out of range). */
function mostly(random: Random, n: number): number {
  return chance(random, 0.85) ? random.below(n) : n;
}

/**
 * A thread nobody sends to (not a pager, not a region mapper) that calls
 * Receive waits for good; the kernel's answer to that is right, but it ends
 * the thread's part in the run, so such a caller asks for it only now and then.
 */
function waitsForGood(k: Kernel, caller: ThreadId, random: Random): boolean {
  return !k.isPager(caller) && !k.isRegionMapper(caller) && !chance(random, 0.05);
}

export function typedCall(k: Kernel, caller: ThreadId, random: Random): Syscall {
  const threads = k.config.threads.length;
  const thread = (): number => mostly(random, threads);
  const region = (): number => mostly(random, k.layout.regions);
  const rights = (): Rights => (chance(random, 0.5) ? "rw" : "ro");
  const names = waitsForGood(k, caller, random) ? SYSCALL_NAMES.filter((name) => name !== "Receive") : SYSCALL_NAMES;
  const name = pick(random, names);
  return match(name)
    .returnType<Syscall>()
    .with("AssignManager", (call) => ({ call, region: region(), manager: thread() }))
    .with("ClearManager", (call) => ({ call, region: region() }))
    .with("Map", (call) => ({
      call,
      task: mostly(random, k.config.tasks),
      region: region(),
      page: mostly(random, k.layout.pagesPerRegion),
      frame: mostly(random, k.config.frames.length),
      rights: rights(),
    }))
    .with("Unmap", (call) => ({
      call,
      task: mostly(random, k.config.tasks),
      region: region(),
      page: mostly(random, k.layout.pagesPerRegion),
      marker: chance(random, 0.9) ? random.below(k.config.markers) : 2 ** 31 - 1,
      revoke: chance(random, 0.5),
    }))
    .with("Receive", "Yield", (call) => ({ call }))
    .with("Resolve", (call) => ({ call, thread: thread(), frame: mostly(random, k.config.frames.length), rights: rights(), wait: chance(random, 0.5) }))
    .with("Resume", (call) => ({ call, thread: thread(), wait: chance(random, 0.5) }))
    .with("Refuse", (call) => {
      const reason = chance(random, 0.2) ? pick(random, STOP_REASONS) : undefined;
      return reason === undefined ? { call, thread: thread(), wait: chance(random, 0.5) } : { call, thread: thread(), wait: chance(random, 0.5), reason };
    })
    .with("Reflect", (call) => ({ call, thread: thread(), to: thread() }))
    .exhaustive();
}

const WORD_BOUNDARIES = [2 ** 31 - 1, 2 ** 31, 2 ** 32 - 2, 2 ** 32 - 1];
/** Register values that are not 32-bit words at all (a hostile caller's JavaScript numbers). */
const NOT_WORDS = [-1, -(2 ** 31), 2 ** 32, 2 ** 53, 0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
/** Right and flag registers that encode nothing: not RIGHTS_RO/RIGHTS_RW, not 0/1. */
const NOT_ENCODINGS = [0, 2, 3, 4, RIGHTS_RO | 4, RIGHTS_RW | 8, RIGHTS_RW << 1, 0xffff_ffff];

/**
 * `call`'s registers with one replaced by a value out of its range: the
 * configuration's bound (and one past it), a 32-bit boundary, a non-word, or
 * a non-encoding; now and then registers dropped or the call number itself
 * out of range.
 */
export function outOfRange(k: Kernel, call: Syscall, random: Random): RawSyscall {
  const raw = encodeSyscall(call);
  const args = [...raw.args];
  const bounds = [k.config.tasks, k.layout.regions, k.layout.pagesPerRegion, k.config.frames.length, k.config.threads.length, STOP_REASONS.length + 1];
  const kind = random.below(10);
  if (kind === 0) return { number: pick(random, [SYSCALL_NAMES.length, SYSCALL_NAMES.length + 1, ...WORD_BOUNDARIES, ...NOT_WORDS]), args };
  if (kind === 1 && args.length > 0) return { number: raw.number, args: args.slice(0, random.below(args.length)) };
  if (args.length === 0) return { number: raw.number, args: [pick(random, [...WORD_BOUNDARIES, ...NOT_WORDS])] };
  const at = random.below(args.length);
  const bound = pick(random, bounds);
  args[at] = pick(random, [bound, bound + 1, ...WORD_BOUNDARIES, ...NOT_WORDS, ...NOT_ENCODINGS]);
  return { number: raw.number, args };
}

/** Any call number, any register values (Receive rarely from a thread nobody sends to). */
export function garbage(k: Kernel, caller: ThreadId, random: Random): RawSyscall {
  const word = (): number =>
    weighted<() => number>(random, [
      [4, () => random.below(8)],
      [2, () => random.nextUint32()],
      [1, () => pick(random, WORD_BOUNDARIES)],
      [1, () => pick(random, NOT_WORDS)],
    ])();
  const drawn = chance(random, 0.7) ? random.below(SYSCALL_NAMES.length) : word();
  const number = SYSCALL_NAMES[drawn] === "Receive" && waitsForGood(k, caller, random) ? SYSCALL_NAMES.indexOf("Yield") : drawn;
  return { number, args: range(random.below(8)).map(word) };
}
