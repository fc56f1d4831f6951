/**
 * Seeded implementation bugs, as data: each is one wrong rule a kernel
 * writer could plausibly write, a record that replaces fields of the
 * kernel's rules (impl/kernel/rules.ts) or of an architecture, beside its
 * description, the kind of property it breaks and the refinement
 * configuration on which it shows. No kernel code asks which mutant it runs.
 *
 * Safety mutants are caught by the refinement check (`refine`, exit 12);
 * liveness mutants keep every refinement obligation (every step still maps
 * to the spec) and are caught only by `refine --liveness` (exit 13): some
 * faulted thread is left suspended forever.
 */
import { InputError } from "../model/input-error.js";
import { architectureNamed } from "./arch/index.js";
import { deliverTo } from "./arch/l4.js";
import { moduleFrame } from "./arch/monolithic.js";
import type { Architecture, DispatchOutcome } from "./kernel/architecture.js";
import type { ArchName } from "./arch/index.js";
import { pureFaultRegion } from "./kernel/fault.js";
import type { Kernel } from "./kernel/kernel.js";
import { isUserAddress, pageInRegion, regionOf } from "./kernel/layout.js";
import { KERNEL_RULES, type KernelRules } from "./kernel/rules.js";

export type KernelMutantName =
  | "no-invlpg"
  | "no-shootdown"
  | "region-off-by-one"
  | "shared-region-table"
  | "acceptance-without-map"
  | "no-present-recheck"
  | "no-acceptance-check"
  | "kernel-fault-to-pager"
  | "marker-lost"
  | "no-flush-on-reassign"
  | "drop-fault-when-queue-busy"
  | "cpu-keeps-first-thread"
  | "monolithic-stand-in";

export interface KernelMutant {
  readonly name: KernelMutantName;
  readonly description: string;
  /** What catches it: a refinement obligation (safety) or a temporal property under the kernel's fairness (liveness). */
  readonly kind: "safety" | "liveness";
  /** The refinement configuration on which it shows (the smallest that can exhibit it). */
  readonly config: string;
  /** The architecture it is planted in when none is named (the paper's, unless the bug is another architecture's). */
  readonly arch?: ArchName;
  /** The rules it replaces. */
  readonly rules?: Partial<KernelRules>;
  /** The architecture's answers it replaces (for a bug of one architecture). */
  readonly architecture?: Partial<Architecture>;
}

/**
 * The monolithic kernel as an earlier build had it: the configuration's
 * pager thread stood in for the in-kernel module, ran as a user thread, and
 * the module acted only while that thread could run; otherwise the fault was
 * sent to the thread as a message, which nothing in the architecture can
 * answer.
 */
function standInClassify(k: Kernel, trap: { thread: number; address: number; access: "read" | "write" }): DispatchOutcome {
  const region = pureFaultRegion(k, trap.address);
  if (region === null) return { kind: "general-protection", reason: "kernel-space" };
  const task = k.taskOf(trap.thread);
  const module = k.regionEntry(task, region).manager;
  if (module === null) return { kind: "general-protection", reason: "no-manager" };
  const own = module === trap.thread;
  const moduleActs = !own && ["ready", "running", "receiving"].includes(k.status(module).tag);
  if (!moduleActs && k.presentPages(task, region) === 0) return { kind: "general-protection", reason: "not-accepted" };
  if (k.rules.pageThere(k.pte(task, trap.address), trap.access)) return { kind: "resumed" };
  if (own) return { kind: "general-protection", reason: "self-managed" };
  if (!moduleActs) return deliverTo(k, trap, module);
  const frame = moduleFrame(k, module, pageInRegion(k.layout, trap.address));
  if (frame === undefined) return { kind: "general-protection", reason: "refused" };
  return { kind: "resolved-in-kernel", frame, rights: "rw" };
}

export const kernelMutants: ReadonlyArray<KernelMutant> = [
  {
    name: "no-invlpg",
    description: "Unmap and remap change the PTE but invalidate no TLB: stale translations survive",
    kind: "safety",
    config: "micro",
    rules: { invalidates: () => false },
  },
  {
    name: "no-shootdown",
    description: "Unmap invalidates the local TLB only: other CPUs running the address space keep the stale translation",
    kind: "safety",
    config: "micro-2cpu",
    rules: { invalidates: (cpu, pageDirectory, initiator) => cpu.id === initiator && cpu.cr3 === pageDirectory },
  },
  {
    name: "region-off-by-one",
    description: "The zero level reads region table entry RID + 1 instead of RID",
    kind: "safety",
    config: "two-regions",
    rules: { faultRegion: (layout, address) => (isUserAddress(layout, address) ? Math.min(regionOf(layout, address) + 1, layout.regions - 1) : null) },
  },
  {
    name: "shared-region-table",
    description: "Every address space gets the same region-table frame (a table not allocated and cleared per address space)",
    kind: "safety",
    config: "two-tasks",
    rules: { regionTableFrame: (placement) => placement.regionTable(0) },
  },
  {
    name: "acceptance-without-map",
    description: "AssignManager records the acceptance itself, before the pager has mapped anything",
    kind: "safety",
    config: "micro",
    rules: { assignedEntry: (manager) => ({ manager, accepted: true }) },
  },
  {
    name: "no-present-recheck",
    description: "The zero level skips the PAGE_PRESENT re-check: a fault on a page restored meanwhile still goes to the pager",
    kind: "safety",
    config: "fig3",
    rules: { pageThere: () => false },
  },
  {
    name: "no-acceptance-check",
    description: "The zero level skips exceptional case 2: a fault reaches a pager that never accepted the region",
    kind: "safety",
    config: "micro",
    rules: { refusesUnaccepted: () => false },
  },
  {
    name: "kernel-fault-to-pager",
    description: "The zero level skips the user-part check: RID aliases a kernel address onto a region",
    kind: "safety",
    config: "markers",
    // Formula (1) without its bounds check: the subtraction wraps a kernel address onto some region.
    rules: {
      faultRegion: (layout, address) =>
        isUserAddress(layout, address) ? regionOf(layout, address) : (((address - layout.userBase) >>> 0) >>> layout.regionShift) % layout.regions,
    },
  },
  {
    name: "marker-lost",
    description: "Unmap stores marker 0 instead of the pager's marker",
    kind: "safety",
    config: "markers",
    rules: { storedMarker: () => 0 },
  },
  {
    name: "no-flush-on-reassign",
    description: "AssignManager/ClearManager leave the old manager's pages mapped in the region",
    kind: "safety",
    config: "micro",
    rules: { flushesOnReassign: () => false },
  },
  {
    name: "drop-fault-when-queue-busy",
    description: "A fault message to a pager whose queue is not empty is dropped (a one-slot mailbox): the faulted thread stays blocked and the pager never hears of it",
    kind: "liveness",
    config: "two-clients",
    rules: { queues: (queue, message) => message.kind !== "fault" || queue.length === 0 },
  },
  {
    name: "cpu-keeps-first-thread",
    description:
      "The scheduler never runs a second thread on a CPU: a CPU only ever runs the thread it ran first, so a thread that did not run first anywhere (L4Re's region mapper, the last thread) never runs",
    kind: "liveness",
    config: "micro-2cpu",
    arch: "l4re",
    rules: { mayRun: (cpu, thread) => cpu.currentThread === null || cpu.currentThread === thread },
  },
  {
    name: "monolithic-stand-in",
    description:
      "The monolithic kernel's pager module stands on a thread: the module acts only while that thread can run, otherwise the fault goes to the thread as a message nothing can answer",
    kind: "liveness",
    config: "two-tasks",
    arch: "monolithic",
    architecture: { roleOf: () => "user", classify: standInClassify },
  },
];

export function kernelMutantNamed(name: string | undefined | null): KernelMutant | null {
  if (name === undefined || name === null) return null;
  const found = kernelMutants.find((m) => m.name === name);
  if (!found) throw new InputError(`unknown kernel mutant "${name}" (known: ${kernelMutants.map((m) => m.name).join(", ")})`, "usage");
  return found;
}

/** The kernel an architecture runs with a mutant planted (none: the kernel as designed). */
export interface KernelVariant {
  readonly arch: Architecture;
  readonly rules: KernelRules;
}

export function kernelVariant(arch: Architecture | string, mutant?: string | null): KernelVariant {
  const base = typeof arch === "string" ? architectureNamed(arch) : arch;
  const planted = kernelMutantNamed(mutant);
  if (planted === null) return { arch: base, rules: KERNEL_RULES };
  if (planted.architecture !== undefined && planted.arch !== base.name) {
    throw new InputError(`kernel mutant "${planted.name}" is a bug of the ${planted.arch} architecture, not of ${base.name}`, "usage");
  }
  return { arch: { ...base, ...planted.architecture }, rules: { ...KERNEL_RULES, ...planted.rules } };
}
