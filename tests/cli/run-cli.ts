/**
 * Runs `multipager ARGV...` in-process through cli/main.ts (the same dispatch,
 * error reporting and exit codes a user meets), capturing what it prints.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, vi } from "vitest";
import { main } from "../../cli/main.js";

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function multipager(...argv: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/**
 * Runs each test of the file in a fresh temporary directory (the current
 * directory, where commands write their trace files); returns its path.
 */
export function inFreshDirectory(prefix: string): () => string {
  let directory = "";
  const originalCwd = process.cwd();
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), `${prefix}-`));
    process.chdir(directory);
  });
  afterEach(() => process.chdir(originalCwd));
  return () => directory;
}
