/** Runs `multipager trace ...` in-process, as cli/main.ts would, capturing its output. */
import { vi } from "vitest";
import { run as trace } from "../../cli/commands/trace.js";
import { reportError } from "../../cli/main.js";

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function multipagerTrace(...argv: string[]): Promise<Run> {
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
    const code = await trace(argv).catch(reportError);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
