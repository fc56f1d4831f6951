/**
 * Seeded implementation bugs: each is one wrong line a kernel writer could
 * plausibly write. The refinement check (and the kernel's own tests) must
 * catch each on some small configuration; `buildKernelMachine(config, arch,
 * mutant)` plants one.
 */
import { InputError } from "../model/input-error.js";

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
  | "no-flush-on-reassign";

export interface KernelMutant {
  readonly name: KernelMutantName;
  readonly description: string;
}

export const kernelMutants: ReadonlyArray<KernelMutant> = [
  { name: "no-invlpg", description: "Unmap and remap change the PTE but invalidate no TLB: stale translations survive" },
  { name: "no-shootdown", description: "Unmap invalidates the local TLB only: other CPUs running the address space keep the stale translation" },
  { name: "region-off-by-one", description: "The zero level reads region table entry RID + 1 instead of RID" },
  {
    name: "shared-region-table",
    description: "Every address space gets the same region-table frame (a table not allocated and cleared per address space)",
  },
  { name: "acceptance-without-map", description: "AssignManager records the acceptance itself, before the pager has mapped anything" },
  { name: "no-present-recheck", description: "The zero level skips the PAGE_PRESENT re-check: a fault on a page restored meanwhile still goes to the pager" },
  { name: "no-acceptance-check", description: "The zero level skips exceptional case 2: a fault reaches a pager that never accepted the region" },
  { name: "kernel-fault-to-pager", description: "The zero level skips the user-part check: RID aliases a kernel address onto a region" },
  { name: "marker-lost", description: "Unmap stores marker 0 instead of the pager's marker" },
  { name: "no-flush-on-reassign", description: "AssignManager/ClearManager leave the old manager's pages mapped in the region" },
];

export function kernelMutantNamed(name: string | undefined): KernelMutantName | null {
  if (name === undefined) return null;
  const found = kernelMutants.find((m) => m.name === name);
  if (!found) throw new InputError(`unknown kernel mutant "${name}" (known: ${kernelMutants.map((m) => m.name).join(", ")})`, "usage");
  return found.name;
}
