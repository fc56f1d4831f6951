/**
 * The checker as an earlier commit built it, for the bench to measure beside
 * today's in one run: the commit before the fast path was derived (its
 * hand-written spec/fast.ts), exported from git into a temporary directory
 * and compiled there with this checkout's TypeScript. No code of it is kept
 * in the repository: the history holds it.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The last commit whose checker ran the hand-written fast path: the parent of the commit that removed spec/fast.ts. */
export function handWrittenFastPathCommit(): string | null {
  const removal = spawnSync("git", ["-C", ROOT, "log", "--diff-filter=D", "--format=%H", "-1", "--", "spec/fast.ts"], { encoding: "utf8" });
  const commit = removal.stdout.trim();
  return removal.status === 0 && commit !== "" ? `${commit}^` : null;
}

/** Builds `revision` into a temporary directory; returns the path of its spec/index.js (checked by today's checker, so only the spec's side differs). */
export function buildBaseline(revision: string, log: (line: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), "multipager-baseline-"));
  const sha = execFileSync("git", ["-C", ROOT, "rev-parse", "--short", revision], { encoding: "utf8" }).trim();
  log(`bench: building the baseline ${sha} (${revision}) in ${dir} ...`);
  const archive = spawnSync("sh", ["-c", `git -C "${ROOT}" archive "${revision}" | tar -x -C "${dir}"`], { encoding: "utf8" });
  if (archive.status !== 0) throw new Error(`git archive ${revision} failed: ${archive.stderr.trim()}`);
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  // Its own tsconfig, this checkout's compiler; type errors against today's @types do not stop the emit.
  spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: dir, encoding: "utf8" });
  const spec = join(dir, "dist/spec/index.js");
  if (!existsSync(spec)) throw new Error(`the baseline ${sha} did not build (no dist/spec/index.js)`);
  return spec;
}
