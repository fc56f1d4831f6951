/**
 * Decisions stated otherwise: the paper leaves D1–D8 open, and a designer
 * will want to try another answer. Each variant is a record of the rules it
 * replaces (rules.ts), exactly like a seeded bug (mutants.ts) — but a variant
 * is a design, expected to keep every invariant. The interpreter, the
 * compiled fast path, the Promela model and the SMT encoding all follow a
 * variant, because all of them read the one statement in actions.ts.
 */
import { DESIGN, type DesignRules, ZERO_LEVEL } from "./rules.js";

export interface DecisionVariant {
  readonly name: string;
  readonly decision: string;
  readonly description: string;
  readonly rules: Partial<DesignRules>;
}

const byName = (name: string) => ZERO_LEVEL.find((c) => c.name === name)!;

export const VARIANTS: readonly DecisionVariant[] = [
  {
    name: "map-only-accepts",
    decision: "D6",
    description: "Only a mapping accepts; an unmap needs a present page (the decision before 2026-12: a demand-paging pager must commit a frame before the first fault in a fresh region is a page fault)",
    rules: { unmapAccepts: false },
  },
  {
    name: "present-check-last",
    decision: "zero-level order",
    description: "The zero level checks self-management and wait cycles (D4) before the last check of Section III.B (the page is present again): a pager that faults on its own region gets a general-protection fault even when the page was restored meanwhile",
    rules: { zeroLevel: ["kernel-space", "no-manager", "not-accepted", "self-managed", "wait-cycle", "present"].map(byName) },
  },
];

export function variantRules(name: string): DesignRules {
  const found = VARIANTS.find((v) => v.name === name);
  if (found === undefined) throw new Error(`unknown decision variant "${name}" (known: ${VARIANTS.map((v) => v.name).join(", ")})`);
  return { ...DESIGN, ...found.rules };
}
