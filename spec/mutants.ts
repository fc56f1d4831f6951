/**
 * Seeded design bugs: each one changes a single rule of the design, and some
 * invariant must catch it with a shortest trace on some named configuration.
 */
import { InputError } from "../model/input-error.js";

export type MutantName =
  | "no-present-recheck"
  | "no-acceptance-check"
  | "kernel-fault-to-pager"
  | "revoke-on-any-unmap"
  | "task-maps-own-region"
  | "per-thread-pager";

export interface SpecMutant {
  readonly name: MutantName;
  readonly description: string;
  /** The invariant expected to catch it, and a configuration on which it does. */
  readonly caughtBy: string;
  readonly config: string;
}

export const specMutants: ReadonlyArray<SpecMutant> = [
  {
    name: "no-present-recheck",
    description: "Dispatch skips the last check (PAGE_PRESENT): a fault on a page restored meanwhile still goes to the pager",
    caughtBy: "NoNeedlessPagerInvocation",
    config: "tiny",
  },
  {
    name: "no-acceptance-check",
    description: "Dispatch skips exceptional case 2: a fault reaches a pager that never accepted the region",
    caughtBy: "GeneralProtectionClassification",
    config: "tiny",
  },
  {
    name: "kernel-fault-to-pager",
    description: "Dispatch skips the user-part check: formula (1) aliases a kernel-space address onto a region and its pager gets the fault",
    caughtBy: "GeneralProtectionClassification",
    config: "tiny",
  },
  {
    name: "revoke-on-any-unmap",
    description: "Every unmap revokes the agreement, with or without REVOKE_AGREEMENT and whether or not it removes the last page",
    caughtBy: "AgreementHeldWhileMapped",
    config: "tiny",
  },
  {
    name: "task-maps-own-region",
    description: "Any running thread of the task may map its manager's frames into its own region",
    caughtBy: "RegionIsolation",
    config: "tiny",
  },
  {
    name: "per-thread-pager",
    description: "Dispatch routes the fault to the thread's single L4-style pager (the lowest-numbered pager) instead of the region's manager",
    caughtBy: "GeneralProtectionClassification",
    config: "tiny",
  },
];

export function mutantNamed(name: string | undefined): MutantName | null {
  if (name === undefined) return null;
  const found = specMutants.find((m) => m.name === name);
  if (!found) {
    throw new InputError(
      `unknown mutant "${name}" (known: ${specMutants.map((m) => m.name).join(", ")})`,
      "usage",
    );
  }
  return found.name;
}
