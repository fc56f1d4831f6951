/**
 * Planted walker bugs: each replaces ONE rule of a rule set (impl/hw/walk.ts;
 * X86_RULES unless the bug needs QEMU's PSE-36 to show) with a plausible
 * mistake. The differential test runs the comparison with each and must see
 * it fail; `multipager x86 run --walker-bug NAME` shows it.
 */
import { InputError } from "../../model/input-error.js";
import { CR0_WP, PF_US, PTE_RW, PTE_US, largePageBase } from "../hw/bits.js";
import { X86_RULES, type WalkRules } from "../hw/walk.js";
import { RULE_SETS, type RuleSetName } from "./rule-sets.js";

export interface WalkerBug {
  readonly name: string;
  readonly description: string;
  /** The rule set the bug is planted in. */
  readonly base: RuleSetName;
  readonly rules: WalkRules;
}

function plant(name: string, description: string, change: Partial<WalkRules>, base: RuleSetName = "sdm"): WalkerBug {
  return { name, description, base, rules: Object.freeze({ ...RULE_SETS[base].rules, ...change }) };
}

export const WALKER_BUGS: readonly WalkerBug[] = [
  plant("ignore-wp", "supervisor writes to read-only pages succeed even with CR0.WP = 1", {
    allows: (rights, access, registers) => X86_RULES.allows(rights, access, { ...registers, cr0: (registers.cr0 & ~CR0_WP) >>> 0 }),
  }),
  plant("us-from-pte", "U/S taken from the PTE alone, ignoring the PDE's", {
    combineRights: (pde, pte) => {
      const combined = X86_RULES.combineRights(pde, pte);
      return pte === null ? combined : { ...combined, user: (pte & PTE_US) !== 0 };
    },
  }),
  plant("rw-from-pte", "R/W taken from the PTE alone, ignoring the PDE's", {
    combineRights: (pde, pte) => {
      const combined = X86_RULES.combineRights(pde, pte);
      return pte === null ? combined : { ...combined, writable: (pte & PTE_RW) !== 0 };
    },
  }),
  plant("rights-or", "R/W and U/S of PDE and PTE combined with OR instead of AND", {
    combineRights: (pde, pte) => {
      const either = pte === null ? pde : pde | pte;
      return { writable: (either & PTE_RW) !== 0, user: (either & PTE_US) !== 0 };
    },
  }),
  plant("dirty-on-read", "D set on reads as well as writes", { setsDirty: () => true }),
  plant("no-dirty", "D never set", { setsDirty: () => false }),
  plant("ps-without-pse", "a PDE's PS honoured even when CR4.PSE = 0", { mapsLargePage: (pde) => X86_RULES.mapsLargePage(pde, { cr0: 0, cr3: 0, cr4: 0xffff_ffff }) }),
  plant("no-reserved-check", "reserved bits of a 4-MiB PDE not checked", { reservedBitsSet: () => 0 }),
  plant("error-code-no-user", "the #PF error code never reports a user-mode access (U/S = 0)", {
    errorCode: (cause, access, registers) => (X86_RULES.errorCode(cause, access, registers) & ~PF_US) >>> 0,
  }),
  plant(
    "pse36-drops-high-bits",
    "a 4-MiB page's address taken from PDE bits 31:22 alone, dropping the PSE-36 bits 39:32 (the access lands on the alias below 4 GiB)",
    { largePageAddress: largePageBase },
    "qemu-tcg",
  ),
];

export function walkerBug(name: string): WalkerBug {
  const bug = WALKER_BUGS.find((candidate) => candidate.name === name);
  if (bug === undefined) throw new InputError(`unknown walker bug '${name}' (known: ${WALKER_BUGS.map((b) => b.name).join(", ")})`, "usage");
  return bug;
}
