import { renameSync, writeFileSync, unlinkSync } from "node:fs";

/**
 * Write a file so that a reader never sees it half-written: write a
 * temporary sibling, then rename over the target (atomic on POSIX).
 */
export function writeFileAtomic(path: string, contents: string | Uint8Array): void {
  const temporary = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    writeFileSync(temporary, contents);
    renameSync(temporary, path);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // The temporary file may never have been created.
    }
    throw error;
  }
}
