/**
 * The hand-written cases in tests/x86/cases, with the lines each must print:
 * "# expect: LINE" with the SDM's rules (the model's default; QEMU prints it
 * too unless a documented deviation applies to it), "# expect qemu-tcg: LINE"
 * with QEMU_TCG_RULES (and QEMU always prints it).
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseCase, type X86Case } from "../../impl/x86case/format.js";
import { RULE_SET_NAMES, type RuleSetName } from "../../impl/x86case/rule-sets.js";

export interface DirectedCase {
  readonly name: string;
  readonly path: string;
  readonly case: X86Case;
  /** The expected lines with each rule set (the SDM's: the lines of '# expect:'). */
  readonly expected: Readonly<Record<RuleSetName, readonly string[]>>;
}

const directory = fileURLToPath(new URL("./cases/", import.meta.url));

const EXPECT = /^# expect(?: ([a-z0-9-]+))?: (.*)$/;

function expectations(text: string, file: string): Record<RuleSetName, string[]> {
  const expected = Object.fromEntries(RULE_SET_NAMES.map((name) => [name, [] as string[]])) as Record<RuleSetName, string[]>;
  for (const line of text.split("\n")) {
    const m = EXPECT.exec(line);
    if (m === null) continue;
    const rules = (m[1] ?? "sdm") as RuleSetName;
    if (!RULE_SET_NAMES.includes(rules)) throw new Error(`${file}: '# expect ${m[1]}:' names no rule set (${RULE_SET_NAMES.join(", ")})`);
    expected[rules].push(m[2]!.trim());
  }
  return expected;
}

export function directedCases(): DirectedCase[] {
  return readdirSync(directory)
    .filter((file) => file.endsWith(".case"))
    .sort()
    .map((file) => {
      const path = directory + file;
      const text = readFileSync(path, "utf8");
      return { name: file.replace(/\.case$/, ""), path, case: parseCase(text, file), expected: expectations(text, file) };
    });
}
