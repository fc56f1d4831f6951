/** The hand-written cases in tests/x86/cases, with the lines each must print ("# expect: ..."). */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseCase, type X86Case } from "../../impl/x86case/format.js";

export interface DirectedCase {
  readonly name: string;
  readonly path: string;
  readonly case: X86Case;
  readonly expected: readonly string[];
}

const directory = fileURLToPath(new URL("./cases/", import.meta.url));

export function directedCases(): DirectedCase[] {
  return readdirSync(directory)
    .filter((file) => file.endsWith(".case"))
    .sort()
    .map((file) => {
      const path = directory + file;
      const text = readFileSync(path, "utf8");
      const expected = text
        .split("\n")
        .filter((line) => line.startsWith("# expect: "))
        .map((line) => line.slice("# expect: ".length).trim());
      return { name: file.replace(/\.case$/, ""), path, case: parseCase(text, file), expected };
    });
}
