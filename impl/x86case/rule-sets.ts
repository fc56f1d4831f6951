/** The walk rules a model run can use, by the name `multipager x86 --rules` takes. */
import { QEMU_TCG_RULES, X86_RULES, type WalkRules } from "../hw/walk.js";

export type RuleSetName = "sdm" | "qemu-tcg";

export interface RuleSet {
  readonly name: RuleSetName;
  readonly rules: WalkRules;
  /** How output names them. */
  readonly label: string;
}

export const RULE_SETS: Readonly<Record<RuleSetName, RuleSet>> = {
  sdm: { name: "sdm", rules: X86_RULES, label: "X86_RULES" },
  "qemu-tcg": { name: "qemu-tcg", rules: QEMU_TCG_RULES, label: "QEMU_TCG_RULES" },
};

export const RULE_SET_NAMES = Object.keys(RULE_SETS) as RuleSetName[];

export function isRuleSetName(name: string): name is RuleSetName {
  return (RULE_SET_NAMES as readonly string[]).includes(name);
}
