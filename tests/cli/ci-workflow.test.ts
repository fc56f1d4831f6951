/**
 * The example CI workflow (docs/ci/multipager.yml) cannot rot: its YAML
 * parses, its steps are the ones docs/ci.md describes, and the command its
 * check step runs (docs/ci/multipager-ci.sh, with the step's own
 * environment) is run here through the launcher users run: it passes on the
 * design, fails with the verdict's exit code on a seeded bug, and the
 * Markdown it attaches is what `multipager trace show F --format md` prints
 * for each counterexample, which replays.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { ExitCode } from "../../cli/exit-codes.js";
import { parseReport } from "../../cli/json-report.js";
import { ensureBuilt, LAUNCHER, root } from "../built.js";
import { multipager } from "./run-cli.js";

interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}

const workflow = parse(readFileSync(join(root, "docs/ci/multipager.yml"), "utf8")) as {
  on: Record<string, unknown>;
  jobs: Record<string, { steps: Step[] }>;
};
const steps = Object.values(workflow.jobs)[0]!.steps;
const checkStep = steps.find((step) => step.run?.includes("multipager-ci.sh"))!;

beforeAll(ensureBuilt, 300_000);

/** Runs the check step as the workflow does, in a fresh directory, with `env` over the step's own environment. */
function runCheckStep(env: Record<string, string> = {}) {
  const script = /^bash (docs\/ci\/[\w.-]+\.sh)$/.exec(checkStep.run!.trim())![1]!;
  const cwd = mkdtempSync(join(tmpdir(), "multipager-ci-"));
  const summary = join(cwd, "step-summary.md");
  const run = spawnSync("bash", [join(root, script)], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...checkStep.env, MULTIPAGER: `${process.execPath} ${LAUNCHER}`, GITHUB_STEP_SUMMARY: summary, ...env },
  });
  const out = join(cwd, checkStep.env!["MULTIPAGER_OUT"]!);
  return { run, cwd, out, summary: () => readFileSync(summary, "utf8") };
}

describe("the example workflow docs/ci/multipager.yml", () => {
  test("runs on pull requests: checkout, Node 20, npm ci, the check step, then the Markdown and the files attached", () => {
    expect(Object.keys(workflow.on)).toEqual(["pull_request"]);
    expect(steps.map((s) => s.uses?.split("@")[0] ?? s.run!.split(" ")[0])).toEqual(["actions/checkout", "actions/setup-node", "npm", "bash", "actions/upload-artifact", "gh"]);
    expect(steps[1]!.with!["node-version"]).toBe(20);
    expect(steps[2]!.run).toBe("npm ci");
    const out = checkStep.env!["MULTIPAGER_OUT"]!;
    const upload = steps.find((s) => s.uses?.startsWith("actions/upload-artifact"))!;
    expect(upload.with!["path"]).toBe(`${out}/`);
    const comment = steps.find((s) => s.run?.startsWith("gh pr comment"))!;
    expect(comment.if).toContain("failure()");
    expect(comment.run).toContain(`--body-file ${out}/summary.md`);
  });

  test("its check step passes on the design: exit 0, both reports ok", () => {
    // The step's own arguments, on the smallest configurations (the defaults take 10 s of the test budget).
    const { run, out, summary } = runCheckStep({
      MULTIPAGER_CHECK_ARGS: `${checkStep.env!["MULTIPAGER_CHECK_ARGS"]} --config tiny`,
      MULTIPAGER_REFINE_ARGS: `${checkStep.env!["MULTIPAGER_REFINE_ARGS"]} --config micro`,
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(ExitCode.Ok);
    expect(summary()).toContain("## multipager: no violation");
    for (const command of ["check", "refine"]) {
      expect(parseReport(readFileSync(join(out, `${command}.json`), "utf8"))).toMatchObject({ command, verdict: "ok", counterexamples: [] });
    }
  });

  test("on seeded bugs it fails with the verdict's code and attaches each counterexample as Markdown, shortest first", async () => {
    const { run, cwd, out, summary } = runCheckStep({
      MULTIPAGER_CHECK_ARGS: "--mutant no-present-recheck --max-error 3",
      MULTIPAGER_REFINE_ARGS: "--exhaustive --mutant no-invlpg",
    });
    expect(run.status).toBe(ExitCode.Safety);
    const markdown = readFileSync(join(out, "summary.md"), "utf8");
    expect(summary()).toBe(markdown);
    expect(markdown).toContain("## multipager: exit 12");
    expect(markdown).toContain("| `multipager check --mutant no-present-recheck --max-error 3` | 12 |");
    const files = ["check", "refine"].flatMap((command) => parseReport(readFileSync(join(out, `${command}.json`), "utf8")).counterexamples.map((c) => c.file!));
    expect(files).toHaveLength(4);
    const originalCwd = process.cwd();
    process.chdir(cwd);
    try {
      let at = 0;
      for (const file of files) {
        const shown = await multipager("trace", "show", file, "--format", "md");
        expect(shown.code).toBe(ExitCode.Ok);
        const found = markdown.indexOf(shown.stdout.trim(), at);
        expect(found, `${file}'s Markdown, in order`).toBeGreaterThan(at);
        at = found;
        expect((await multipager("trace", "replay", file)).code).toBe(ExitCode.Safety);
      }
    } finally {
      process.chdir(originalCwd);
    }
  });
});
