/**
 * Writing the file that backs a verdict already reached (a counterexample
 * trace, a disagreeing x86 case). The verdict is never lost to the file:
 * when the file cannot be written, one line on stderr says so and the
 * command still exits with the verdict's code (documented in docs/).
 */
import { writeFileAtomic, WriteError, type OutputContents } from "../model/atomic-write.js";

/** Writes `contents` to `target`; false (after one line on stderr naming the target and the reason) when it cannot. */
export function writeEvidence(command: string, target: string, contents: OutputContents, lost: string): boolean {
  try {
    writeFileAtomic(target, contents);
    return true;
  } catch (error) {
    if (!(error instanceof WriteError)) throw error;
    process.stderr.write(`multipager: ${command}: ${error.message}; ${lost}\n`);
    return false;
  }
}
