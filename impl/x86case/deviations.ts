/**
 * Every way QEMU's x86 (TCG, qemu32) is allowed to differ from our model
 * (impl/hw with X86_RULES, which follows the Intel SDM), and why. The
 * comparison (compare.ts) accepts a difference only when the model run
 * marked the operation or word with one of these, and counts each use.
 */
export type DeviationKind = "pde-accessed-on-fault" | "rsvd-without-p" | "pse36-large-page";

export interface Deviation {
  readonly kind: DeviationKind;
  /** What QEMU may show that the model does not. */
  readonly allows: string;
  /** Why that is not a bug in either. */
  readonly why: string;
}

export const DEVIATIONS: Readonly<Record<DeviationKind, Deviation>> = {
  "pde-accessed-on-fault": {
    kind: "pde-accessed-on-fault",
    allows:
      "the A bit (bit 5) set in a present PDE that references a page table, when a walk through it faulted at the PTE " +
      "(in the final memory, and in a later read of that PDE through a mapping)",
    why:
      "QEMU sets the PDE's A as soon as it has read it, before it reads the PTE; our model sets A only when the whole walk succeeds, " +
      "as Intel processors do. The SDM (4.8: A is set in an entry 'used as part of linear-address translation') leaves a faulting walk unspecified.",
  },
  "rsvd-without-p": {
    kind: "rsvd-without-p",
    allows: "a reserved-bit page fault whose error code lacks P (bit 0), the rest equal",
    why:
      "QEMU's do_fault_rsvd path builds the error code from RSVD alone; the SDM (4.7) says P = 1, as the entry was present. " +
      "QEMU_TCG_RULES in impl/hw/walk.ts models QEMU's code.",
  },
  "pse36-large-page": {
    kind: "pse36-large-page",
    allows:
      "where the model faults with RSVD on a 4-MiB PDE only because some of its bits 20:13 are set (bit 21 clear): exactly the line the same access " +
      "gives on a processor with PSE-36 (the model's walk with withPse36: a read of the page above 4 GiB, where the test machine has no memory, gives 0, " +
      "a write is dropped, a rights violation is a protection fault), and the A/D bits that walk sets in that PDE; any other line is a difference",
    why:
      "QEMU treats 4-MiB PDE bits 20:13 as physical-address bits 39:32 (PSE-36) and reserves bit 21 only, so it reaches memory above 4 GiB; " +
      "our SDM model has MAXPHYADDR = 32 and reserves bits 21:13 (SDM Table 4-4), so it faults with RSVD. The model computes QEMU's line itself, " +
      "so a walker that reached another address (the alias below 4 GiB, say) would still differ.",
  },
};

export const DEVIATION_KINDS = Object.keys(DEVIATIONS) as DeviationKind[];
