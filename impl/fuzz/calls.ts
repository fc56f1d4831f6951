/**
 * What a fuzzed thread asks the kernel for: system calls as raw registers,
 * from four sources: guided (guided.ts), and three kinds of bad calls
 * (bad-calls.ts): typed over straddling domains, out of range, garbage.
 */
import { match } from "ts-pattern";
import type { Random } from "../../model/random.js";
import type { Kernel } from "../kernel/kernel.js";
import { encodeSyscall, type RawSyscall } from "../kernel/syscalls.js";
import type { ThreadId } from "../kernel/types.js";
import { garbage, outOfRange, typedCall } from "./bad-calls.js";
import { chance, weighted } from "./choose.js";
import { guidedCall } from "./guided.js";

export type CallSource = "guided" | "typed" | "out-of-range" | "garbage";
export const CALL_SOURCES: readonly CallSource[] = ["guided", "typed", "out-of-range", "garbage"];

export interface GeneratedCall {
  readonly raw: RawSyscall;
  readonly source: CallSource;
}

/**
 * The share of a thread's calls that are bad on purpose (typed over straddling
 * domains, out of range, garbage), when it has a guided call to make and when
 * it has none; a region mapper, its task's trusted runtime, mostly runs its
 * program.
 */
const BAD = { withGuided: 0.22, withoutGuided: 0.12, regionMapper: 0.08 } as const;
const BAD_SOURCES: ReadonlyArray<readonly [number, CallSource]> = [
  [3, "typed"],
  [4, "out-of-range"],
  [3, "garbage"],
];

/**
 * The next call of `caller`: its guided call, or now and then a bad one; null
 * when it has no guided call to make and draws no bad one (it then goes on
 * with its own work instead).
 */
export function nextCall(k: Kernel, caller: ThreadId, random: Random): GeneratedCall | null {
  const guided = guidedCall(k, caller, random);
  const bad = k.isRegionMapper(caller) ? BAD.regionMapper : guided === null ? BAD.withoutGuided : BAD.withGuided;
  if (!chance(random, bad)) return guided === null ? null : { raw: encodeSyscall(guided), source: "guided" };
  const source = weighted(random, BAD_SOURCES);
  const raw = match(source)
    .with("guided", "typed", () => encodeSyscall(typedCall(k, caller, random)))
    .with("out-of-range", () => outOfRange(k, guided ?? typedCall(k, caller, random), random))
    .with("garbage", () => garbage(k, caller, random))
    .exhaustive();
  return { raw, source };
}
