/**
 * The x86 page walk of impl/hw against QEMU's x86 (TCG, qemu32), line by
 * line: seeded random cases (fixed seeds plus one fresh seed, printed) for
 * more than 10,000 operations, the hand-written directed cases, and every
 * planted walker bug, which the same comparison must catch.
 */
import { availableParallelism } from "node:os";
import { beforeAll, describe, expect, test } from "vitest";
import { QEMU_TCG_RULES } from "../../impl/hw/walk.js";
import { compareRuns, formatDifferences } from "../../impl/x86case/compare.js";
import { DEVIATION_KINDS } from "../../impl/x86case/deviations.js";
import { SEED_LIMIT } from "../../impl/x86case/differential.js";
import type { X86Case } from "../../impl/x86case/format.js";
import { generateCase } from "../../impl/x86case/generate.js";
import { runOnModel } from "../../impl/x86case/model-run.js";
import { formatReport, type RunReport } from "../../impl/x86case/output.js";
import { mapConcurrently, runOnQemu } from "../../impl/x86case/qemu.js";
import { WALKER_BUGS } from "../../impl/x86case/walker-bugs.js";
import { directedCases } from "./directed.js";
import { qemuAvailable, reportMissingQemu } from "./qemu-available.js";
import { randomSeed } from "../seed.js";

const FIXED_SEEDS = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181, 6765];
const OPERATIONS_PER_CASE = 540;
const MINIMUM_OPERATIONS = 10_000;

/** The twentieth case's seed: fresh on every run (printed), or TEST_SEED. */
const FRESH_SEED = randomSeed(import.meta.url) % SEED_LIMIT;

interface Ran {
  readonly label: string;
  readonly case: X86Case;
  readonly qemu: RunReport;
}

reportMissingQemu("x86 differential tests against QEMU");

describe.runIf(qemuAvailable)("x86 page walk: impl/hw against QEMU", () => {
  const random: Ran[] = [];
  const directed: Ran[] = [];

  beforeAll(async () => {
    console.log(`x86 differential: fresh seed ${FRESH_SEED} (or: multipager x86 fuzz --seed ${FRESH_SEED} --cases 1 --ops ${OPERATIONS_PER_CASE})`);
    const seeds = [...FIXED_SEEDS, FRESH_SEED];
    const jobs = Math.max(1, availableParallelism());
    const randomRuns = await mapConcurrently(seeds, jobs, async (seed) => {
      const c = generateCase(seed, OPERATIONS_PER_CASE);
      return { label: `seed ${seed}`, case: c, qemu: await runOnQemu(c) };
    });
    random.push(...randomRuns);
    const directedRuns = await mapConcurrently(directedCases(), jobs, async (d) => ({ label: d.name, case: d.case, qemu: await runOnQemu(d.case) }));
    directed.push(...directedRuns);
  }, 300_000);

  test(`the model agrees with QEMU on at least ${MINIMUM_OPERATIONS} random operations, except for documented deviations`, () => {
    let operations = 0;
    const failures: string[] = [];
    const explained = Object.fromEntries(DEVIATION_KINDS.map((kind) => [kind, 0])) as Record<string, number>;
    const outcomes = { value: 0, ok: 0, fault: 0 };
    for (const run of random) {
      const model = runOnModel(run.case);
      const comparison = compareRuns(run.case, model, run.qemu);
      operations += run.qemu.outcomes.length;
      for (const outcome of run.qemu.outcomes) outcomes[outcome.kind]++;
      for (const kind of DEVIATION_KINDS) explained[kind]! += comparison.explained[kind];
      if (!comparison.matches) failures.push(`${run.label}:\n${formatDifferences(comparison).join("\n")}`);
    }
    console.log(
      `x86 differential: ${operations} operations in ${random.length} QEMU boots ` +
        `(${outcomes.value} reads, ${outcomes.ok} ok, ${outcomes.fault} page faults); deviations used: ${JSON.stringify(explained)}`,
    );
    expect(failures, failures.join("\n")).toEqual([]);
    expect(operations).toBeGreaterThanOrEqual(MINIMUM_OPERATIONS);
    // The random cases must exercise every kind of outcome, or they test little.
    expect(outcomes.value).toBeGreaterThan(500);
    expect(outcomes.fault).toBeGreaterThan(500);
  });

  test("the directed cases agree with QEMU, and QEMU prints their expected lines (the SDM's where no deviation applies, QEMU_TCG_RULES' all)", () => {
    const byName = new Map(directedCases().map((d) => [d.name, d]));
    for (const run of directed) {
      const model = runOnModel(run.case);
      const comparison = compareRuns(run.case, model, run.qemu);
      expect(comparison.matches, `${run.label}:\n${formatDifferences(comparison).join("\n")}`).toBe(true);
      const qemuLines = formatReport(run.case, run.qemu);
      const expected = byName.get(run.label)!.expected;
      for (const line of expected.sdm) {
        const op = /^op (\d+) /.exec(line);
        const mem = /^mem 0x([0-9a-f]{8}) /.exec(line);
        const index = op === null ? -1 : Number(op[1]) - 1;
        if (op !== null && (model.operationAllowances[index]!.size > 0 || model.pse36Outcomes.has(index))) continue;
        if (mem !== null && model.wordAllowances.has(parseInt(mem[1]!, 16))) continue;
        expect(qemuLines, run.label).toContain(line);
      }
      for (const line of expected["qemu-tcg"]) expect(qemuLines, run.label).toContain(line);
    }
  });

  test("each documented deviation is actually needed: QEMU shows it in these runs", () => {
    const explained = new Set<string>();
    for (const run of [...random, ...directed]) {
      const comparison = compareRuns(run.case, runOnModel(run.case), run.qemu);
      for (const kind of DEVIATION_KINDS) if (comparison.explained[kind] > 0) explained.add(kind);
    }
    expect([...explained].sort()).toEqual([...DEVIATION_KINDS].sort());
  });

  test("impl/hw's QEMU_TCG_RULES reproduce QEMU's PSE-36, A-bit and error-code behaviour without any allowance", () => {
    for (const run of [...random, ...directed]) {
      const comparison = compareRuns(run.case, runOnModel(run.case, QEMU_TCG_RULES), run.qemu);
      expect(comparison.matches, `${run.label}:\n${formatDifferences(comparison).join("\n")}`).toBe(true);
      for (const kind of DEVIATION_KINDS) expect(comparison.explained[kind], `${run.label}: ${kind}`).toBe(0);
    }
  });

  test.each(WALKER_BUGS.map((bug) => [bug.name, bug] as const))("planted walker bug %s makes the comparison fail, on random and on directed cases", (_name, bug) => {
    const caught = (runs: readonly Ran[]): string[] =>
      runs.filter((run) => !compareRuns(run.case, runOnModel(run.case, bug.rules), run.qemu).matches).map((run) => run.label);
    const byRandom = caught(random);
    const byDirected = caught(directed);
    console.log(`planted walker bug ${bug.name}: caught by ${byRandom.length} of ${random.length} random cases and by ${byDirected.join(", ")}`);
    expect(byRandom.length).toBeGreaterThan(0);
    expect(byDirected.length).toBeGreaterThan(0);
  });
});
