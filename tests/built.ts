/**
 * The compiled dist/ for tests that need real JavaScript files: worker
 * threads (which load compiled modules) and the `multipager` launcher run as
 * a child process (signals, standard streams). Built here when any source is
 * newer than its output; a lock directory keeps two test files from running
 * the compiler at once.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../", import.meta.url));
const SOURCE_DIRS = ["model", "spec", "impl", "refinement", "trace", "cli", "bench"];
const LOCK = join(root, "dist", ".build-lock");
/** A lock older than this was left by a killed run. */
const STALE_LOCK_MS = 5 * 60_000;

/** Path of the compiled file of a source (e.g. "model/parallel.ts" -> ".../dist/model/parallel.js"). */
export const built = (source: string): string => join(root, "dist", source.replace(/\.ts$/, ".js"));

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = join(dir, entry.name);
    if (entry.isDirectory()) return sources(relative);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [relative] : [];
  });
}

const stale = (): boolean =>
  SOURCE_DIRS.flatMap(sources).some((source) => !existsSync(built(source)) || statSync(built(source)).mtimeMs < statSync(join(root, source)).mtimeMs);

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Makes sure dist/ is up to date with the sources. */
export function ensureBuilt(): void {
  if (!stale()) return;
  mkdirSync(join(root, "dist"), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      const lock = statSync(LOCK, { throwIfNoEntry: false });
      if (lock !== undefined && Date.now() - lock.mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      sleep(200);
    }
  }
  try {
    if (stale()) execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** The launcher users run (bin/multipager.js), for child processes. */
export const LAUNCHER = join(root, "bin", "multipager.js");
