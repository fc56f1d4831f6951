/**
 * Choosing what to check and how many counterexamples to get, as a TLC,
 * Apalache or Quint user would: --inv / --no-inv, --temporal / --no-temporal,
 * --list-properties, --continue / --max-error N, and --workers auto.
 */
import { existsSync, readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ExitCode } from "../../cli/exit-codes.js";
import { readItf } from "../../model/itf.js";
import { workersOption } from "../../cli/options.js";
import { inFreshDirectory, multipager } from "./run-cli.js";

const here = inFreshDirectory("multipager-properties");

const INVARIANTS = [
  "GeneralProtectionClassification",
  "TwoSidedContract",
  "NoNeedlessPagerInvocation",
  "RegionIsolation",
  "OneManagerPerRegion",
  "OneManagerPerFrame",
  "AgreementHeldWhileMapped",
  "NoLostOrDuplicatedWakeups",
];

/** The "Counterexample <id>: N steps, written to <file>" lines, in order. */
const written = (stdout: string) => [...stdout.matchAll(/^Counterexample ([0-9a-f]{12}): (\d+) steps.*, written to (\S+)$/gm)].map((m) => ({ id: m[1]!, steps: Number(m[2]), file: m[3]! }));

describe("check: choosing the properties", () => {
  test("--list-properties names every invariant and temporal property --inv and --temporal take", async () => {
    const run = await multipager("check", "--list-properties");
    expect(run.code).toBe(ExitCode.Ok);
    const names = run.stdout.trim().split("\n").map((line) => line.split(/\s+/).slice(0, 2));
    expect(names.filter(([kind]) => kind === "invariant").map(([, name]) => name)).toEqual(INVARIANTS);
    expect(names.filter(([kind]) => kind === "temporal").map(([, name]) => name)).toEqual(["PagersReceiveTheirFaults", "FaultsAreDispatched", "FaultedThreadsResume", "NoWaitOnWithdrawnAgreement"]);
  });

  test("--inv NAME checks that invariant only: the mutant's bug is then not reported", async () => {
    const all = await multipager("check", "--mutant", "no-present-recheck", "--quiet");
    expect(all.code).toBe(ExitCode.Safety);
    expect(all.stdout).toContain("Invariant NoNeedlessPagerInvocation is violated");
    const one = await multipager("check", "--mutant", "no-present-recheck", "--inv", "GeneralProtectionClassification", "--inv", "TwoSidedContract");
    expect(one.code).toBe(ExitCode.Ok);
    expect(one.stdout).toContain("; invariants GeneralProtectionClassification, TwoSidedContract.");
    expect(one.stdout).not.toContain("Counterexample");
    const found = await multipager("check", "--mutant", "no-present-recheck", "--inv", "NoNeedlessPagerInvocation", "--quiet");
    expect(found.code).toBe(ExitCode.Safety);
    expect(written(found.stdout).map((c) => c.id)).toEqual(written(all.stdout).map((c) => c.id));
  });

  test("--no-inv NAME turns one invariant off; the others are still checked", async () => {
    const run = await multipager("check", "--mutant", "no-present-recheck", "--no-inv", "NoNeedlessPagerInvocation");
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stdout).toContain(`; invariants ${INVARIANTS.filter((n) => n !== "NoNeedlessPagerInvocation").join(", ")}.`);
    expect(run.stdout).toContain("Model checking completed. No error has been found.");
  });

  test("--temporal NAME implies --liveness and checks that property only; --no-temporal turns one off", async () => {
    const only = await multipager("check", "--mutant", "hold-unaccepted-faults", "--temporal", "FaultedThreadsResume");
    expect(only.code).toBe(ExitCode.Ok);
    expect(only.stdout).toContain("; temporal properties FaultedThreadsResume.");
    expect(only.stdout).toMatch(/^ {2}FaultedThreadsResume +\d+ +\d+ +holds$/m);
    expect(only.stdout).not.toMatch(/^ {2}PagersReceiveTheirFaults /m);
    const without = await multipager("check", "--mutant", "hold-unaccepted-faults", "--no-temporal", "PagersReceiveTheirFaults", "--quiet");
    expect(without.code).toBe(ExitCode.Liveness);
    expect(without.stdout).toContain("Error: Temporal property FaultsAreDispatched is violated.");
  });

  test.each([
    [["--inv", "Bogus"], 'check: unknown invariant "Bogus" for --inv (known: GeneralProtectionClassification, TwoSidedContract,'],
    [["--no-inv", "Bogus"], 'check: unknown invariant "Bogus" for --no-inv (known: '],
    [["--temporal", "Bogus"], 'check: unknown temporal property "Bogus" for --temporal (known: PagersReceiveTheirFaults, FaultsAreDispatched, FaultedThreadsResume, NoWaitOnWithdrawnAgreement)'],
    [["--no-temporal", "Bogus", "--liveness"], 'check: unknown temporal property "Bogus" for --no-temporal (known: '],
    [["--temporal", "FaultsAreDispatched", "--simulate"], "check: --simulate cannot be combined with --liveness (implied by --temporal)"],
  ])("check %j: exit 2 with the known names", async (args, message) => {
    const run = await multipager("check", ...args);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toContain(message);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("check: more than one counterexample", () => {
  test("--max-error 3: three distinct violations, shortest first, each with its own trace file and id; the first is the plain run's", async () => {
    const plain = written((await multipager("check", "--mutant", "no-present-recheck", "--quiet")).stdout);
    const run = await multipager("check", "--mutant", "no-present-recheck", "--max-error", "3");
    expect(run.code).toBe(ExitCode.Safety);
    expect(run.stdout).toContain("; up to 3 violations.");
    expect(run.stdout).toContain("Counterexample 3 of 3:");
    expect(run.stdout).toContain("Model checking stopped at its limit of 3 violations");
    const found = written(run.stdout);
    expect(found).toHaveLength(3);
    expect(new Set(found.map((c) => c.id)).size).toBe(3);
    expect(found[0]!.id).toBe(plain[0]!.id);
    for (const [index, c] of found.entries()) {
      expect(c.file).toBe(`counterexample-${c.id}.itf.json`);
      const trace = readItf(join(here(), c.file));
      expect(trace.steps.length - 1).toBe(c.steps);
      expect(trace.violation.name).toBe("NoNeedlessPagerInvocation");
      if (index > 0) expect(c.steps).toBeGreaterThanOrEqual(found[index - 1]!.steps);
    }
    // Distinct: the last states differ.
    const ends = found.map((c) => JSON.stringify(readItf(join(here(), c.file)).steps.at(-1)!.state));
    expect(new Set(ends).size).toBe(3);
  });

  test("--continue: every violation of a complete search (no violating state expanded), and the same first ones as --max-error", async () => {
    const run = await multipager("check", "--mutant", "no-present-recheck", "--continue");
    expect(run.code).toBe(ExitCode.Safety);
    const found = written(run.stdout);
    expect(run.stdout).toContain(`Model checking completed: ${found.length} violations (see the traces above; a violating state is not explored further).`);
    expect(found.length).toBeGreaterThan(3);
    expect(readdirSync(here()).filter((f) => f.endsWith(".itf.json"))).toHaveLength(found.length);
    const three = written((await multipager("check", "--mutant", "no-present-recheck", "--max-error", "3", "--quiet")).stdout);
    expect(found.slice(0, 3).map((c) => c.steps)).toEqual(three.map((c) => c.steps));
  });

  test("--itf with {id} names each file; without {id} it would name several files as one: exit 2", async () => {
    const bad = await multipager("check", "--mutant", "no-present-recheck", "--max-error", "2", "--itf", "out.itf.json");
    expect(bad.code).toBe(ExitCode.Usage);
    expect(bad.stderr).toContain("put {id} in it");
    const run = await multipager("check", "--mutant", "no-present-recheck", "--max-error", "2", "--itf", "bug-{id}.json", "--quiet");
    expect(run.code).toBe(ExitCode.Safety);
    for (const c of written(run.stdout)) expect(existsSync(join(here(), `bug-${c.id}.json`))).toBe(true);
  });

  test.each([
    [["--max-error", "2", "--simulate"], "check: --max-error applies to exhaustive search, not --simulate"],
    [["--continue", "--liveness"], "check: --continue cannot be combined with --liveness"],
    [["--max-error", "0"], 'check: --max-error must be an integer in 1..9007199254740991, got "0"'],
  ])("check %j: exit 2", async (args, message) => {
    const run = await multipager("check", ...args);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr.trim()).toBe(`multipager: ${message}`);
  });
});

describe("check --workers auto", () => {
  test("is one worker per CPU this process may use", () => {
    expect(workersOption("check", "auto")).toBe(Math.min(availableParallelism(), 64));
    expect(workersOption("check", "3")).toBe(3);
    expect(workersOption("check", undefined)).toBeUndefined();
  });

  test.each([["-2"], ["0"], ["65"], ["two"], ["1.5"], ["auto2"]])("--workers %s: exit 2 with our own message", async (value) => {
    const run = await multipager("check", "--workers", value);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr.trim()).toBe(`multipager: check: --workers must be an integer in 1..64 or "auto", got "${value}"`);
  });
});
