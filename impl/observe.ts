/**
 * What the concrete structures say, in the spec's vocabulary: each task's
 * region table as decoded from its frame, each user page's PTE as present
 * (frame, rights) or not present (marker), each thread's status with its
 * faulting address as (region, page) or a kernel-address index, and which
 * faults wait at which pager. Everything is read from simulated memory and
 * the kernel objects; nothing is kept on the side. The refinement check maps
 * concrete states to abstract ones through this.
 */
import { match } from "ts-pattern";
import { PTE_RW, entryAddress, isPresent, markerOf } from "./hw/bits.js";
import type { Kernel } from "./kernel/kernel.js";
import { PAGE_SIZE, isUserAddress, kernelAddresses, pageInRegion, regionOf, userPageAddress } from "./kernel/layout.js";
import { USER_FRAMES_BASE } from "./kernel/physical.js";
import type { AccessKind, StopReason, ThreadId } from "./kernel/types.js";
import type { Rights } from "./kernel/vm.js";

export type ObservedAddress =
  | { readonly space: "user"; readonly region: number; readonly page: number }
  /** `index` in the configuration's kernel addresses; -1 for any other address outside the user part. */
  | { readonly space: "kernel"; readonly index: number };

export type ObservedPage =
  | { readonly present: true; readonly frame: number; readonly rights: Rights }
  | { readonly present: false; readonly marker: number };

export type ObservedSnapshot = { readonly present: false; readonly marker: number } | { readonly present: true; readonly rights: Rights };

export type ObservedStatus =
  /** ready, on a CPU, or waiting in Receive: the thread can act (the spec's "running"). */
  | { readonly tag: "running" }
  | { readonly tag: "trapped"; readonly address: ObservedAddress; readonly access: AccessKind }
  | { readonly tag: "blocked"; readonly address: ObservedAddress; readonly access: AccessKind; readonly pager: ThreadId; readonly seen: ObservedSnapshot }
  | { readonly tag: "stopped"; readonly reason: StopReason };

export interface ObservedState {
  /** regionTable[task][region]; empty per task for architectures without a region table. */
  readonly regionTable: readonly (readonly { readonly manager: ThreadId | null; readonly accepted: boolean }[])[];
  /** pageTable[task][region][page]. */
  readonly pageTable: readonly (readonly (readonly ObservedPage[])[])[];
  readonly threads: readonly ObservedStatus[];
  /** pending[t]: threads whose fault waits for t's reply (queued or received), ascending. */
  readonly pending: readonly (readonly ThreadId[])[];
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** The frame index a present PTE maps (the configuration's frame numbering). */
export const frameOf = (pte: number): number => (entryAddress(pte) - USER_FRAMES_BASE) / PAGE_SIZE;

export function observeAddress(k: Kernel, linear: number): ObservedAddress {
  if (isUserAddress(k.layout, linear)) return { space: "user", region: regionOf(k.layout, linear), page: pageInRegion(k.layout, linear) };
  return { space: "kernel", index: kernelAddresses(k.layout, k.config.kernelAddresses).indexOf(linear >>> 0) };
}

function observePage(pte: number): ObservedPage {
  return isPresent(pte) ? { present: true, frame: frameOf(pte), rights: (pte & PTE_RW) !== 0 ? "rw" : "ro" } : { present: false, marker: markerOf(pte) };
}

function snapshot(pte: number): ObservedSnapshot {
  return isPresent(pte) ? { present: true, rights: (pte & PTE_RW) !== 0 ? "rw" : "ro" } : { present: false, marker: markerOf(pte) };
}

/** The state `k` is over, in the spec's vocabulary (pass `template.over(state)` for a machine state). */
export function observe(k: Kernel): ObservedState {
  const { config, layout } = k;
  const regionTable = range(config.tasks).map((task) => (k.hasRegionTable(task) ? range(layout.regions).map((region) => k.regionEntry(task, region)) : []));
  const pageTable = range(config.tasks).map((task) =>
    range(layout.regions).map((region) => range(layout.pagesPerRegion).map((page) => observePage(k.pte(task, userPageAddress(layout, region, page))))),
  );
  const threads = k.state.threads.map((s) =>
    match(s)
      .returnType<ObservedStatus>()
      .with({ tag: "ready" }, { tag: "running" }, { tag: "receiving" }, () => ({ tag: "running" }))
      .with({ tag: "trapped" }, (t) => ({ tag: "trapped", address: observeAddress(k, t.address), access: t.access }))
      .with({ tag: "blocked" }, (b) => ({ tag: "blocked", address: observeAddress(k, b.address), access: b.access, pager: b.handler, seen: snapshot(b.seen) }))
      .with({ tag: "stopped" }, (t) => ({ tag: "stopped", reason: t.reason }))
      .exhaustive(),
  );
  const pending = k.state.threads.map((_, pager) => k.state.threads.flatMap((s, t) => (s.tag === "blocked" && s.handler === pager ? [t] : [])));
  return { regionTable, pageTable, threads, pending };
}
