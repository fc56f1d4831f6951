/**
 * System-call fuzzing from malicious tasks and pagers: arbitrary register
 * values from whichever thread runs, interleaved with memory accesses and
 * the kernel's own steps. Never a crash, never a mapping outside the
 * caller's managed regions, never a frame the caller does not own, and a
 * refused call changes nothing (whole-state encodings compared).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isPresent, entryAddress } from "../../../impl/hw/bits.js";
import { architectures } from "../../../impl/arch/index.js";
import type { ArchName } from "../../../impl/kernel/architecture.js";
import { SyscallError } from "../../../impl/kernel/errors.js";
import { Kernel } from "../../../impl/kernel/kernel.js";
import { kernelAddresses, regionSlot, userPageAddress } from "../../../impl/kernel/layout.js";
import { encodeState, type KernelState } from "../../../impl/kernel/state.js";
import type { StateMachine } from "../../../model/machine.js";
import { decodeSyscall, encodeSyscall, executeSyscall } from "../../../impl/kernel/syscalls.js";
import { SYSCALL_NAMES, type Syscall } from "../../../impl/kernel/types.js";
import { buildKernelMachine } from "../../../impl/machine.js";
import { entryPointer } from "../../../impl/kernel/vm.js";
import { callAs, testConfig } from "./helpers.js";
import { randomSeed } from "../../seed.js";

const seed = randomSeed(import.meta.url);

const word = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 5 }) },
  { weight: 1, arbitrary: fc.constantFrom(1, 3, 7, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, -1, 0.5, Number.NaN) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 ** 32 - 1 }) },
);

/**
 * Typed calls over small domains that straddle the valid ranges (region 2, page 4, frame 3, task 2, thread 4 are out of range).
 * Receive comes only from the raw calls: a thread waiting for a message that never comes would end a run early.
 */
const small = (max: number) => fc.integer({ min: 0, max });
/** Mostly 0..max-1 (valid), sometimes max (just out of range). */
const mostly = (max: number) => fc.oneof({ weight: 5, arbitrary: small(max - 1) }, { weight: 1, arbitrary: fc.constant(max) });
const aPager = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(2, 3) }, { weight: 1, arbitrary: small(4) });
const rights = fc.constantFrom("ro" as const, "rw" as const);
const typedCall: fc.Arbitrary<Syscall> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ call: fc.constant("AssignManager" as const), region: mostly(2), manager: aPager }) },
  { weight: 2, arbitrary: fc.record({ call: fc.constant("ClearManager" as const), region: mostly(2) }) },
  { weight: 8, arbitrary: fc.record({ call: fc.constant("Map" as const), task: mostly(2), region: mostly(2), page: mostly(4), frame: mostly(3), rights }) },
  { weight: 4, arbitrary: fc.record({ call: fc.constant("Unmap" as const), task: mostly(2), region: mostly(2), page: mostly(4), marker: fc.oneof(small(3), fc.constant(2 ** 31 - 1)), revoke: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ call: fc.constant("Resolve" as const), thread: small(4), frame: mostly(3), rights, wait: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ call: fc.constant("Resume" as const), thread: small(4), wait: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ call: fc.constant("Refuse" as const), thread: small(4), wait: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ call: fc.constant("Reflect" as const), thread: small(4), to: aPager }) },
  { weight: 4, arbitrary: fc.record({ call: fc.constant("Yield" as const) }) },
);

type Op =
  | { kind: "syscall"; cpu: number; number: number; args: readonly number[] }
  | { kind: "access"; cpu: number; target: number; write: boolean }
  | { kind: "handle"; thread: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("syscall" as const), cpu: fc.integer({ min: 0, max: 1 }), call: typedCall }).map(({ kind, cpu, call }) => ({ kind, cpu, ...encodeSyscall(call) })) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("syscall" as const), cpu: fc.integer({ min: 0, max: 1 }), number: fc.oneof(fc.integer({ min: 0, max: SYSCALL_NAMES.length - 1 }), word), args: fc.array(word, { maxLength: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("access" as const), cpu: fc.integer({ min: 0, max: 1 }), target: fc.nat(), write: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("handle" as const), thread: fc.integer({ min: 0, max: 3 }) }) },
);

/** What the kernel must hold after every step, whatever the callers did. */
function checkHeld(k: Kernel, machine: StateMachine<KernelState>, bootDirectories: Map<number, number>[]): void {
  for (const invariant of machine.invariants) expect(invariant.holds(k.state), invariant.name).toBe(true);
  // The kernel part of every page directory is as booted: nobody maps outside the user part.
  for (let task = 0; task < k.config.tasks; task++) {
    const words = k.memory.frameWords(k.pageDirectory(task));
    for (const [slot, value] of bootDirectories[task]!) if (words[slot] !== value) expect.fail(`task ${task}: kernel slot ${slot} changed`);
  }
}

/** Successful calls by name over a whole fuzz run (so a run that never gets past validation is noticed). */
function fuzz(arch: ArchName, runs: number): Map<string, number> {
  const succeeded = new Map<string, number>();
  const config = testConfig(2, arch === "l4re" || arch === "l4re-via-rm" ? { regionMapperOf: [1, null] } : {});
  const targets = [
    ...[0, 1].flatMap((r) => [0, 1, 2, 3].map((p) => userPageAddress(config.layout, r, p))),
    ...kernelAddresses(config.layout, 3),
    userPageAddress(config.layout, 1, 900),
  ];
  const machine = buildKernelMachine(config, architectures[arch]);
  fc.assert(
    fc.property(fc.array(op, { minLength: 40, maxLength: 120 }), (ops) => {
      const k = Kernel.boot(config, architectures[arch]);
      if (k.arch.syscalls.has("Map")) {
        // Start from an established system: region 0 of task 0 is pager 2's, region 1 pager 3's, both accepted.
        callAs(k, 0, { call: "AssignManager", region: 0, manager: 2 });
        callAs(k, 0, { call: "AssignManager", region: 1, manager: 3 });
        callAs(k, 2, { call: "Map", task: 0, region: 0, page: 0, frame: 0, rights: "rw" });
        callAs(k, 3, { call: "Map", task: 0, region: 1, page: 0, frame: 2, rights: "ro" });
      }
      const userSlots = new Set([0, 1].map((r) => regionSlot(k.layout, r)));
      const bootDirectories = Array.from({ length: k.config.tasks }, (_, task) => {
        const slots = new Map<number, number>();
        for (let slot = 0; slot < 1024; slot++) if (!userSlots.has(slot)) slots.set(slot, k.memory.read32(entryPointer(k.pageDirectory(task), slot)));
        return slots;
      });
      for (const o of ops) {
        if (o.kind === "handle") {
          if (k.status(o.thread).tag === "stopped") k.handleException(o.thread);
          continue;
        }
        const thread = k.threadOn(o.cpu);
        if (thread === null) {
          // An idle CPU: run the next ready thread; with none, the ordinary exception handling restarts a stopped one.
          const stopped = k.state.threads.findIndex((st) => st.tag === "stopped");
          if (k.schedule(o.cpu) === null && stopped >= 0) k.handleException(stopped);
          continue;
        }
        if (k.status(thread).tag === "trapped") {
          k.dispatch(o.cpu);
          continue;
        }
        if (o.kind === "access") {
          k.access(o.cpu, targets[o.target % targets.length]!, o.write ? "write" : "read");
        } else {
          const before = encodeState(k.state);
          const raw = { number: o.number, args: o.args };
          const decoded = decodeSyscall(raw);
          // What the caller was entitled to before the call.
          const entitled =
            k.arch.regionTable && typeof decoded !== "number" && decoded.call === "Map" && decoded.task < k.config.tasks && decoded.region < k.layout.regions
              ? k.regionEntry(decoded.task, decoded.region).manager === thread && k.config.frames[decoded.frame] === thread
              : null;
          const { error, call } = executeSyscall(k, o.cpu, raw);
          if (error === SyscallError.Ok && call) succeeded.set(call.call, (succeeded.get(call.call) ?? 0) + 1);
          if (error !== SyscallError.Ok) expect(encodeState(k.state)).toEqual(before);
          if (entitled !== null) expect(error === SyscallError.Ok ? entitled : true).toBe(true);
          if (error === SyscallError.Ok && typeof decoded !== "number" && decoded.call === "Map") {
            const pte = k.pte(decoded.task, userPageAddress(k.layout, decoded.region, decoded.page));
            expect(isPresent(pte) && entryAddress(pte)).toBe(k.placement.userFrame(decoded.frame));
          }
        }
        checkHeld(k, machine, bootDirectories);
      }
    }),
    { seed, numRuns: runs },
  );
  return succeeded;
}

describe("system-call fuzzing from malicious tasks and pagers", () => {
  it("proposed: never a crash, never a foreign mapping, nothing changed on error", () => {
    const succeeded = fuzz("proposed", 200);
    console.log(`proposed: successful calls ${JSON.stringify(Object.fromEntries([...succeeded].sort()))}`);
    for (const name of ["AssignManager", "ClearManager", "Map", "Unmap", "Yield"]) expect(succeeded.get(name) ?? 0, name).toBeGreaterThan(0);
    const replies = ["Resolve", "Resume", "Refuse"].reduce((sum, name) => sum + (succeeded.get(name) ?? 0), 0);
    expect(replies, "fault replies").toBeGreaterThan(0);
  });
  it("the baselines hold the same", () => {
    for (const arch of ["monolithic", "l4", "l4re", "l4re-via-rm"] as const) fuzz(arch, 40);
  });
});
