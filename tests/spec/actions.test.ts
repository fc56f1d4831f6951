import { describe, expect, it } from "vitest";
import type { SpecState } from "../../spec/state.js";
import { contextFor, enabled, initialState, step } from "./helpers.js";

// default: thread 0 is the pager (owns frame 0), threads 1 and 2 consume; one region of two pages.
const ctx = contextFor("default");
const init = initialState(ctx);
const invariants = ctx.invariants;
const allHold = (s: SpecState) => invariants.filter((i) => !i.holds(s)).map((i) => i.name);

/** Region 0 assigned to pager 0, which accepted by mapping page 0 read-only. */
function accepted(): SpecState {
  let s = step(ctx, init, "AssignManager", { thread: 1, region: 0, manager: 0 });
  s = step(ctx, s, "Map", { manager: 0, task: 0, region: 0, page: 0, frame: 0, rights: "ro" });
  return s;
}

describe("spec actions", () => {
  it("AssignManager records the manager without acceptance; ClearManager removes it", () => {
    const s = step(ctx, init, "AssignManager", { thread: 1, region: 0, manager: 0 });
    expect(s.regionTable[0]![0]).toEqual({ manager: 0, accepted: false });
    expect(enabled(ctx, s, "AssignManager", { thread: 1, region: 0, manager: 0 })).toBe(false);
    const c = step(ctx, s, "ClearManager", { thread: 2, region: 0 });
    expect(c.regionTable[0]![0]).toEqual({ manager: null, accepted: false });
    expect(enabled(ctx, init, "ClearManager")).toBe(false);
    // Only pagers can be assigned.
    expect(enabled(ctx, init, "AssignManager", { thread: 1, region: 0, manager: 2 })).toBe(false);
  });

  it("Map is the manager's implicit acceptance; only the manager maps, only its own frames", () => {
    const s = accepted();
    expect(s.regionTable[0]![0]).toEqual({ manager: 0, accepted: true });
    expect(s.pageTable[0]![0]![0]).toEqual({ present: true, frame: 0, rights: "ro", mapper: 0 });
    expect(enabled(ctx, init, "Map", { manager: 0, task: 0, region: 0, page: 0, frame: 0, rights: "ro" })).toBe(false);
    expect(enabled(ctx, s, "Map", { manager: 1 })).toBe(false);
    expect(allHold(s)).toEqual([]);
  });

  it("Unmap writes the marker; REVOKE_AGREEMENT revokes only with the last present page", () => {
    let s = accepted();
    s = step(ctx, s, "Map", { manager: 0, page: 1, rights: "rw" });
    const keep = step(ctx, s, "Unmap", { page: 0, marker: 1, revoke: true });
    expect(keep.pageTable[0]![0]![0]).toEqual({ present: false, marker: 1 });
    expect(keep.regionTable[0]![0]!.accepted).toBe(true);
    const last = step(ctx, keep, "Unmap", { page: 1, marker: 0, revoke: true });
    expect(last.regionTable[0]![0]!.accepted).toBe(false);
    const noFlag = step(ctx, keep, "Unmap", { page: 1, marker: 0, revoke: false });
    expect(noFlag.regionTable[0]![0]!.accepted).toBe(true);
    // D6: REVOKE_AGREEMENT needs a present page; without it an unmap writes the marker of a page that is not present, and accepts.
    expect(enabled(ctx, last, "Unmap", { revoke: true })).toBe(false);
    const marked = step(ctx, last, "Unmap", { page: 1, marker: 1, revoke: false });
    expect(marked.pageTable[0]![0]![1]).toEqual({ present: false, marker: 1 });
    expect(marked.regionTable[0]![0]!.accepted).toBe(true);
  });

  it("Access: a hit changes nothing; a miss traps", () => {
    const s = accepted();
    expect(step(ctx, s, "Access", { thread: 1, space: "user", region: 0, page: 0, access: "read", result: "hit" })).toBe(s);
    const t = step(ctx, s, "Access", { thread: 1, region: 0, page: 0, access: "write" });
    expect(t.threads[1]).toEqual({ tag: "trapped", address: { space: "user", region: 0, page: 0 }, access: "write" });
    expect(enabled(ctx, t, "Access", { thread: 1 })).toBe(false);
  });

  it("Dispatch classifies: kernel space, no manager, not accepted are general-protection faults", () => {
    const k = step(ctx, step(ctx, init, "Access", { thread: 1, space: "kernel", kernelAddress: 0 }), "Dispatch", { thread: 1 });
    expect(k.threads[1]).toEqual({ tag: "stopped", reason: "kernel-space" });
    const n = step(ctx, step(ctx, init, "Access", { thread: 1, space: "user", page: 1 }), "Dispatch", { thread: 1 });
    expect(n.threads[1]).toEqual({ tag: "stopped", reason: "no-manager" });
    let s = step(ctx, init, "AssignManager", { thread: 1, region: 0, manager: 0 });
    s = step(ctx, step(ctx, s, "Access", { thread: 1, space: "user", page: 1 }), "Dispatch", { thread: 1 });
    expect(s.threads[1]).toEqual({ tag: "stopped", reason: "not-accepted" });
    expect(step(ctx, s, "HandleException", { thread: 1 }).threads[1]).toEqual({ tag: "running" });
  });

  it("Dispatch delivers a pure page fault to the region's manager with the marker it read", () => {
    let s = accepted();
    s = step(ctx, s, "Map", { manager: 0, page: 1, rights: "ro" });
    s = step(ctx, s, "Unmap", { page: 1, marker: 1, revoke: false });
    s = step(ctx, step(ctx, s, "Access", { thread: 1, space: "user", page: 1, access: "read" }), "Dispatch", { thread: 1 });
    expect(s.threads[1]).toEqual({
      tag: "blocked",
      address: { space: "user", region: 0, page: 1 },
      access: "read",
      pager: 0,
      seen: { present: false, marker: 1 },
    });
    expect(s.pending[0]).toEqual([1]);
    expect(allHold(s)).toEqual([]);
    const r = step(ctx, s, "Resolve", { pager: 0, thread: 1, rights: "rw" });
    expect(r.threads[1]).toEqual({ tag: "running" });
    expect(r.pending[0]).toEqual([]);
    expect(r.pageTable[0]![0]![1]).toEqual({ present: true, frame: 0, rights: "rw", mapper: 0 });
    const f = step(ctx, s, "Refuse", { pager: 0, thread: 1 });
    expect(f.threads[1]).toEqual({ tag: "stopped", reason: "refused" });
    expect(enabled(ctx, s, "Resume")).toBe(false);
  });

  it("Fig. 3 thread B: a page restored between trap and dispatch resumes with no message", () => {
    let s = accepted();
    s = step(ctx, s, "Access", { thread: 2, space: "user", page: 1, access: "read" });
    s = step(ctx, s, "Map", { manager: 0, page: 1, rights: "ro" });
    const d = step(ctx, s, "Dispatch", { thread: 2 });
    expect(d.threads[2]).toEqual({ tag: "running" });
    expect(d.pending[0]).toEqual([]);
  });

  it("D3: a write fault on a present read-only page is delivered; D5: the second waiter is resumed without mapping", () => {
    let s = accepted(); // page 0 present ro
    s = step(ctx, step(ctx, s, "Access", { thread: 1, page: 0, access: "write" }), "Dispatch", { thread: 1 });
    s = step(ctx, step(ctx, s, "Access", { thread: 2, page: 0, access: "write" }), "Dispatch", { thread: 2 });
    expect(s.pending[0]).toEqual([1, 2]);
    expect(s.threads[1]).toMatchObject({ tag: "blocked", seen: { present: true, rights: "ro" } });
    s = step(ctx, s, "Resolve", { pager: 0, thread: 1, rights: "rw" });
    expect(enabled(ctx, s, "Resume", { pager: 0, thread: 2 })).toBe(true);
    s = step(ctx, s, "Resume", { pager: 0, thread: 2 });
    expect(s.threads[2]).toEqual({ tag: "running" });
    expect(allHold(s)).toEqual([]);
  });

  it("D4: a pager faulting on a region it manages itself gets a general-protection fault", () => {
    let s = accepted();
    s = step(ctx, step(ctx, s, "Access", { thread: 0, page: 1, access: "read" }), "Dispatch", { thread: 0 });
    expect(s.threads[0]).toEqual({ tag: "stopped", reason: "self-managed" });
  });

  it("D4: a fault that would close a cycle of pagers waiting for each other is a general-protection fault", () => {
    const two = contextFor("two-pagers"); // pagers 0 and 1, consumer 2, two regions of one page
    let s = initialState(two);
    s = step(two, s, "AssignManager", { thread: 2, region: 0, manager: 0 });
    s = step(two, s, "AssignManager", { thread: 2, region: 1, manager: 1 });
    s = step(two, s, "Map", { manager: 0, region: 0, frame: 0, rights: "ro" });
    s = step(two, s, "Map", { manager: 1, region: 1, frame: 1, rights: "ro" });
    s = step(two, step(two, s, "Access", { thread: 0, region: 1, access: "write" }), "Dispatch", { thread: 0 });
    expect(s.threads[0]).toMatchObject({ tag: "blocked", pager: 1 });
    s = step(two, step(two, s, "Access", { thread: 1, region: 0, access: "write" }), "Dispatch", { thread: 1 });
    expect(s.threads[1]).toEqual({ tag: "stopped", reason: "wait-cycle" });
  });

  it("D1: reassigning flushes the region and lets blocked threads retry", () => {
    let s = accepted();
    s = step(ctx, step(ctx, s, "Access", { thread: 1, page: 1, access: "read" }), "Dispatch", { thread: 1 });
    const c = step(ctx, s, "ClearManager", { thread: 2, region: 0 });
    expect(c.threads[1]).toEqual({ tag: "running" });
    expect(c.pending[0]).toEqual([]);
    expect(c.pageTable[0]![0]).toEqual([
      { present: false, marker: 0 },
      { present: false, marker: 0 },
    ]);
    expect(allHold(c)).toEqual([]);
  });

  it("D2: revoking with threads blocked turns their faults into general-protection faults", () => {
    let s = accepted();
    s = step(ctx, step(ctx, s, "Access", { thread: 1, page: 1, access: "read" }), "Dispatch", { thread: 1 });
    s = step(ctx, s, "Unmap", { page: 0, marker: 0, revoke: true });
    expect(s.threads[1]).toEqual({ tag: "stopped", reason: "revoked" });
    expect(s.pending[0]).toEqual([]);
    expect(s.regionTable[0]![0]!.accepted).toBe(false);
  });
});
