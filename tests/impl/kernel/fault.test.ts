import { describe, expect, it } from "vitest";
import { SyscallError } from "../../../impl/kernel/errors.js";
import { userPageAddress } from "../../../impl/kernel/layout.js";
import { attachRegion } from "../../../impl/arch/l4re.js";
import { heldMessages } from "../../../impl/kernel/ipc.js";
import { CLIENT, CLIENT2, PAGER, PAGER2, bootTest, callAs, contract, runOn } from "./helpers.js";

const addr = (k: ReturnType<typeof bootTest>, region: number, p: number) => userPageAddress(k.layout, region, p);

describe("the zero level (proposed)", () => {
  it("classifies a kernel-space or null-pointer fault as a general-protection fault", () => {
    for (const address of [0, 0xffff_d000, 0xffff_f000]) {
      const k = bootTest();
      contract(k);
      runOn(k, 0, CLIENT);
      expect(k.access(0, address, "read").hit).toBe(false);
      expect(k.dispatch(0).outcome).toEqual({ kind: "general-protection", reason: "kernel-space" });
      expect(k.status(CLIENT)).toEqual({ tag: "stopped", reason: "kernel-space" });
    }
  });

  it("stops a fault in a region with no pager (case 1) and one the pager has not accepted (case 2)", () => {
    const k = bootTest();
    runOn(k, 0, CLIENT);
    k.access(0, addr(k, 1, 0), "read");
    expect(k.dispatch(0).outcome).toEqual({ kind: "general-protection", reason: "no-manager" });
    callAs(k, CLIENT2, { call: "AssignManager", region: 1, manager: PAGER });
    runOn(k, 0, CLIENT2);
    k.access(0, addr(k, 1, 0), "write");
    expect(k.dispatch(0).outcome).toEqual({ kind: "general-protection", reason: "not-accepted" });
  });

  it("sends a pure page fault to the region's manager with the marker the pager left", () => {
    const k = bootTest();
    contract(k);
    callAs(k, PAGER, { call: "Map", task: 0, region: 0, page: 1, frame: 0, rights: "ro" });
    callAs(k, PAGER, { call: "Unmap", task: 0, region: 0, page: 1, marker: 0x1234_5678, revoke: false });
    callAs(k, PAGER, { call: "Receive" }); // the pager waits
    runOn(k, 0, CLIENT);
    k.access(0, addr(k, 0, 1) + 8, "write");
    const { outcome } = k.dispatch(0);
    expect(outcome).toEqual({ kind: "delivered", to: PAGER, marker: 0x1234_5678 });
    // Handoff: the pager runs at once with the message in its registers.
    expect(k.threadOn(0)).toBe(PAGER);
    expect(heldMessages(k, PAGER)).toEqual([{ kind: "fault", thread: CLIENT, address: addr(k, 0, 1) + 8, access: "write", marker: 0x1234_5678, present: false }]);
    // The reply maps and resumes; with reply-and-wait the faulting thread gets the CPU.
    expect(callAs(k, PAGER, { call: "Resolve", thread: CLIENT, frame: 0, rights: "ro", wait: true })).toBe(SyscallError.BadRights);
    expect(callAs(k, PAGER, { call: "Resolve", thread: CLIENT, frame: 0, rights: "rw", wait: true })).toBe(SyscallError.Ok);
    expect(k.threadOn(0)).toBe(CLIENT);
    expect(k.access(0, addr(k, 0, 1) + 8, "write").hit).toBe(true);
  });

  it("re-checks PAGE_PRESENT: a page restored between the trap and the dispatch resumes the thread (Fig. 3, thread B)", () => {
    const k = bootTest("proposed", 2);
    contract(k);
    runOn(k, 1, CLIENT2);
    expect(k.access(1, addr(k, 0, 0), "read").hit).toBe(false);
    expect(callAs(k, PAGER, { call: "Map", task: 0, region: 0, page: 0, frame: 0, rights: "ro" }, 0)).toBe(SyscallError.Ok);
    expect(k.dispatch(1).outcome).toEqual({ kind: "resumed" });
    expect(k.access(1, addr(k, 0, 0), "read").hit).toBe(true);
  });

  it("never lets a manager wait for itself (D4)", () => {
    const k = bootTest();
    callAs(k, PAGER, { call: "AssignManager", region: 0, manager: PAGER });
    callAs(k, PAGER, { call: "Map", task: 1, region: 0, page: 0, frame: 0, rights: "rw" });
    k.access(0, addr(k, 0, 1), "read");
    expect(k.dispatch(0).outcome).toEqual({ kind: "general-protection", reason: "self-managed" });
  });

  it("lets the pager refuse, and the ordinary exception handling restart the thread", () => {
    const k = bootTest();
    contract(k);
    runOn(k, 0, CLIENT);
    k.access(0, addr(k, 0, 0), "read");
    k.dispatch(0);
    expect(callAs(k, PAGER, { call: "Refuse", thread: CLIENT, wait: false })).toBe(SyscallError.Ok);
    expect(k.status(CLIENT)).toEqual({ tag: "stopped", reason: "refused" });
    expect(callAs(k, PAGER, { call: "Refuse", thread: CLIENT, wait: false })).toBe(SyscallError.NoSuchFault);
    k.handleException(CLIENT);
    expect(k.status(CLIENT).tag).toBe("ready");
  });
});

describe("the baselines", () => {
  it("monolithic: the in-kernel module maps the page at dispatch, which accepts the region", () => {
    const k = bootTest("monolithic");
    callAs(k, CLIENT, { call: "AssignManager", region: 0, manager: PAGER });
    expect(k.regionEntry(0, 0)).toEqual({ manager: PAGER, accepted: false });
    runOn(k, 0, CLIENT);
    k.access(0, addr(k, 0, 1), "write");
    expect(k.dispatch(0).outcome).toEqual({ kind: "resolved-in-kernel", frame: 1, rights: "rw" });
    expect(k.regionEntry(0, 0)).toEqual({ manager: PAGER, accepted: true });
    expect(k.access(0, addr(k, 0, 1), "write").hit).toBe(true);
    expect(callAs(k, CLIENT2, { call: "Yield" })).toBe(SyscallError.Ok);
  });

  it("monolithic: a module is no thread: never scheduled, so no fault ever waits for it", () => {
    const k = bootTest("monolithic");
    expect([PAGER, PAGER2].map((t) => k.roleOf(t))).toEqual(["module", "module"]);
    expect(k.state.ready).not.toContain(PAGER);
    expect(() => runOn(k, 0, PAGER)).toThrow(/never reached/);
    // A module without frames never maps, so it never takes a region on: exceptional case 2.
    const poor = bootTest("monolithic", 1, null, { frames: [PAGER, PAGER] });
    callAs(poor, CLIENT, { call: "AssignManager", region: 1, manager: PAGER2 });
    runOn(poor, 0, CLIENT);
    poor.access(0, addr(poor, 1, 0), "read");
    expect(poor.dispatch(0).outcome).toEqual({ kind: "general-protection", reason: "not-accepted" });
  });

  it("single-pager L4: every fault goes to the thread's pager, even a kernel-space one", () => {
    const k = bootTest("l4", 1, null, { pagerOf: [PAGER2, PAGER2, null, null] });
    runOn(k, 0, CLIENT);
    k.access(0, 0, "read");
    expect(k.dispatch(0).outcome).toEqual({ kind: "delivered", to: PAGER2, marker: 0 });
    // A reply may map only the replier's own frames, and only into the user part.
    expect(callAs(k, PAGER2, { call: "Resolve", thread: CLIENT, frame: 2, rights: "rw", wait: false })).toBe(SyscallError.BadRegion);
    expect(callAs(k, PAGER2, { call: "Refuse", thread: CLIENT, wait: false })).toBe(SyscallError.Ok);
  });

  it("L4Re: the region mapper reflects to the real pager, which resumes the thread (or answers through the region mapper)", () => {
    for (const arch of ["l4re", "l4re-via-rm"] as const) {
      const k = bootTest(arch, 1, null, { regionMapperOf: [CLIENT2, null] });
      attachRegion(k, 0, 0, PAGER, true);
      callAs(k, PAGER, { call: "Receive" });
      callAs(k, CLIENT2, { call: "Receive" });
      runOn(k, 0, CLIENT);
      k.access(0, addr(k, 0, 2), "read");
      expect(k.dispatch(0).outcome).toEqual({ kind: "delivered", to: CLIENT2, marker: 0 });
      expect(k.threadOn(0)).toBe(CLIENT2);
      expect(callAs(k, CLIENT2, { call: "Reflect", thread: CLIENT, to: PAGER })).toBe(SyscallError.Ok);
      expect(k.threadOn(0)).toBe(PAGER);
      expect(callAs(k, PAGER, { call: "Resolve", thread: CLIENT, frame: 0, rights: "ro", wait: true })).toBe(SyscallError.Ok);
      if (arch === "l4re-via-rm") {
        expect(k.threadOn(0)).toBe(CLIENT2);
        expect(heldMessages(k, CLIENT2)).toEqual([{ kind: "resolved", thread: CLIENT }]);
        expect(callAs(k, CLIENT2, { call: "Resume", thread: CLIENT, wait: true })).toBe(SyscallError.Ok);
      }
      expect(k.threadOn(0)).toBe(CLIENT);
      expect(k.access(0, addr(k, 0, 2), "read").hit).toBe(true);
    }
  });
});
