import { describe, expect, it } from "vitest";
import { isPresent, markerOf } from "../../../impl/hw/bits.js";
import { SyscallError } from "../../../impl/kernel/errors.js";
import { userPageAddress } from "../../../impl/kernel/layout.js";
import { encodeState } from "../../../impl/kernel/state.js";
import { decodeSyscall, executeSyscall, encodeSyscall, RIGHTS_RW } from "../../../impl/kernel/syscalls.js";
import { SYSCALL_NAMES } from "../../../impl/kernel/types.js";
import { CLIENT, CLIENT2, PAGER, PAGER2, bootTest, callAs, contract, runOn } from "./helpers.js";

const page = (k: ReturnType<typeof bootTest>, region: number, p: number) => userPageAddress(k.layout, region, p);

describe("AssignManager / ClearManager", () => {
  it("assigns the caller's region, unaccepted, and refuses bad arguments with named errors", () => {
    const k = bootTest();
    expect(callAs(k, CLIENT, { call: "AssignManager", region: 0, manager: PAGER })).toBe(SyscallError.Ok);
    expect(k.regionEntry(0, 0)).toEqual({ manager: PAGER, accepted: false });
    expect(callAs(k, CLIENT, { call: "AssignManager", region: 0, manager: PAGER })).toBe(SyscallError.AlreadyManager);
    expect(callAs(k, CLIENT, { call: "AssignManager", region: 2, manager: PAGER })).toBe(SyscallError.BadRegion);
    expect(callAs(k, CLIENT, { call: "AssignManager", region: 1, manager: 9 })).toBe(SyscallError.BadThread);
    expect(callAs(k, CLIENT, { call: "AssignManager", region: 1, manager: CLIENT2 })).toBe(SyscallError.NotAPager);
    expect(callAs(k, CLIENT, { call: "ClearManager", region: 1 })).toBe(SyscallError.NoManager);
  });

  it("flushes the region on reassignment (D1): pages gone, acceptance reset, TLBs invalidated, waiting faults retried", () => {
    const k = bootTest();
    contract(k);
    runOn(k, 0, CLIENT);
    expect(k.access(0, page(k, 0, 3), "read").hit).toBe(true);
    expect(k.cpu(0).tlb.lookup(page(k, 0, 3))).toBeDefined();
    expect(k.access(0, page(k, 0, 0), "read").hit).toBe(false);
    k.dispatch(0); // CLIENT blocks at PAGER
    expect(k.status(CLIENT).tag).toBe("blocked");
    expect(callAs(k, CLIENT2, { call: "AssignManager", region: 0, manager: PAGER2 })).toBe(SyscallError.Ok);
    expect(k.regionEntry(0, 0)).toEqual({ manager: PAGER2, accepted: false });
    expect(isPresent(k.pte(0, page(k, 0, 3)))).toBe(false);
    expect(k.cpu(0).tlb.lookup(page(k, 0, 3))).toBeUndefined();
    expect(k.status(CLIENT).tag).toBe("ready");
    expect(k.state.queues[PAGER]).toEqual([]);
  });
});

describe("Map", () => {
  it("maps only the manager's own frames into its managed regions, and mapping is the acceptance", () => {
    const k = bootTest();
    callAs(k, CLIENT, { call: "AssignManager", region: 0, manager: PAGER });
    expect(callAs(k, PAGER2, { call: "Map", task: 0, region: 0, page: 0, frame: 2, rights: "rw" })).toBe(SyscallError.NotManager);
    expect(callAs(k, PAGER, { call: "Map", task: 0, region: 0, page: 0, frame: 2, rights: "rw" })).toBe(SyscallError.NotOwner);
    expect(callAs(k, PAGER, { call: "Map", task: 0, region: 1, page: 0, frame: 0, rights: "rw" })).toBe(SyscallError.NotManager);
    expect(callAs(k, PAGER, { call: "Map", task: 5, region: 0, page: 0, frame: 0, rights: "rw" })).toBe(SyscallError.BadTask);
    expect(callAs(k, PAGER, { call: "Map", task: 0, region: 0, page: 4, frame: 0, rights: "rw" })).toBe(SyscallError.BadPage);
    expect(callAs(k, PAGER, { call: "Map", task: 0, region: 0, page: 0, frame: 3, rights: "rw" })).toBe(SyscallError.BadFrame);
    expect(k.regionEntry(0, 0).accepted).toBe(false);
    expect(callAs(k, PAGER, { call: "Map", task: 0, region: 0, page: 0, frame: 0, rights: "rw" })).toBe(SyscallError.Ok);
    expect(k.regionEntry(0, 0).accepted).toBe(true);
  });

  it("invalidates every CPU's translation when it replaces a present mapping", () => {
    const k = bootTest("proposed", 2);
    contract(k);
    runOn(k, 1, CLIENT2);
    expect(k.access(1, page(k, 0, 3), "write").hit).toBe(true);
    expect(k.cpu(1).tlb.lookup(page(k, 0, 3))?.writable).toBe(true);
    expect(callAs(k, PAGER, { call: "Map", task: 0, region: 0, page: 3, frame: 1, rights: "ro" })).toBe(SyscallError.Ok);
    expect(k.cpu(1).tlb.lookup(page(k, 0, 3))).toBeUndefined();
    expect(k.access(1, page(k, 0, 3), "write").hit).toBe(false);
  });
});

describe("Unmap", () => {
  it("leaves the marker, shoots down other CPUs' TLB entries; REVOKE_AGREEMENT needs a mapped page, a marker alone does not (D6)", () => {
    const k = bootTest("proposed", 2);
    contract(k);
    runOn(k, 1, CLIENT2);
    expect(k.access(1, page(k, 0, 3), "read").hit).toBe(true);
    expect(callAs(k, PAGER, { call: "Unmap", task: 0, region: 0, page: 3, marker: 0x7fff_ffff, revoke: false })).toBe(SyscallError.Ok);
    expect(markerOf(k.pte(0, page(k, 0, 3)))).toBe(0x7fff_ffff);
    expect(k.cpu(1).tlb.lookup(page(k, 0, 3))).toBeUndefined();
    expect(k.access(1, page(k, 0, 3), "read").hit).toBe(false);
    expect(callAs(k, PAGER, { call: "Unmap", task: 0, region: 0, page: 3, marker: 1, revoke: true })).toBe(SyscallError.NotMapped);
    expect(callAs(k, PAGER, { call: "Unmap", task: 0, region: 0, page: 3, marker: 1, revoke: false })).toBe(SyscallError.Ok);
    expect(markerOf(k.pte(0, page(k, 0, 3)))).toBe(1);
    expect(callAs(k, PAGER, { call: "Unmap", task: 0, region: 0, page: 2, marker: 2 ** 31, revoke: false })).toBe(SyscallError.BadMarker);
  });

  it("withdraws the agreement only with REVOKE_AGREEMENT on the last page, stopping faults waiting at the pager (D2)", () => {
    const k = bootTest();
    contract(k);
    expect(callAs(k, PAGER, { call: "Map", task: 0, region: 0, page: 2, frame: 0, rights: "rw" })).toBe(SyscallError.Ok);
    runOn(k, 0, CLIENT);
    expect(k.access(0, page(k, 0, 0), "read").hit).toBe(false);
    k.dispatch(0);
    expect(callAs(k, PAGER, { call: "Unmap", task: 0, region: 0, page: 2, marker: 0, revoke: true })).toBe(SyscallError.Ok);
    expect(k.regionEntry(0, 0).accepted).toBe(true); // page 3 is still there
    expect(callAs(k, PAGER, { call: "Unmap", task: 0, region: 0, page: 3, marker: 0, revoke: true })).toBe(SyscallError.Ok);
    expect(k.regionEntry(0, 0)).toEqual({ manager: PAGER, accepted: false });
    expect(k.status(CLIENT)).toEqual({ tag: "stopped", reason: "revoked" });
  });

  it("accepts a region by writing a marker, with no frame committed (D6)", () => {
    const k = bootTest();
    runOn(k, 0, CLIENT);
    expect(callAs(k, CLIENT, { call: "AssignManager", region: 1, manager: PAGER })).toBe(SyscallError.Ok);
    expect(k.regionEntry(0, 1).accepted).toBe(false);
    expect(callAs(k, PAGER, { call: "Unmap", task: 0, region: 1, page: 0, marker: 5, revoke: false })).toBe(SyscallError.Ok);
    expect(k.regionEntry(0, 1)).toEqual({ manager: PAGER, accepted: true });
    expect(markerOf(k.pte(0, page(k, 1, 0)))).toBe(5);
  });
});

describe("errors change nothing", () => {
  it("leaves the whole state byte-for-byte as it was, for every refused call", () => {
    const k = bootTest();
    contract(k);
    runOn(k, 0, CLIENT);
    const bad = [
      { number: 99, args: [] },
      { number: 0.5, args: [] },
      { number: SYSCALL_NAMES.indexOf("Map"), args: [0, 0, 0, 0] },
      { number: SYSCALL_NAMES.indexOf("Map"), args: [0, 0, 0, 0, 7] },
      { number: SYSCALL_NAMES.indexOf("Map"), args: [0, 0, 0, 0, RIGHTS_RW] },
      { number: SYSCALL_NAMES.indexOf("Unmap"), args: [0, 0, 3, 0, 2] },
      { number: SYSCALL_NAMES.indexOf("Resolve"), args: [0, 0, RIGHTS_RW, 0] },
      { number: SYSCALL_NAMES.indexOf("Reflect"), args: [0, PAGER] },
      { number: SYSCALL_NAMES.indexOf("AssignManager"), args: [-1, PAGER] },
    ];
    for (const raw of bad) {
      const before = encodeState(k.state);
      const { error } = executeSyscall(k, 0, raw);
      expect(error).not.toBe(SyscallError.Ok);
      expect(encodeState(k.state)).toEqual(before);
    }
  });

  it("decodes registers into calls and back", () => {
    for (const call of [
      { call: "Map", task: 1, region: 2, page: 3, frame: 4, rights: "ro" },
      { call: "Unmap", task: 0, region: 1, page: 2, marker: 77, revoke: true },
      { call: "Resolve", thread: 3, frame: 1, rights: "rw", wait: true },
      { call: "Yield" },
    ] as const) {
      expect(decodeSyscall(encodeSyscall(call))).toEqual(call);
    }
    expect(decodeSyscall({ number: SYSCALL_NAMES.indexOf("Resume"), args: [1, 2] })).toBe(SyscallError.BadCall);
  });
});
