/**
 * The kernel fuzz (impl/fuzz) as CI runs it: 20,000 system calls on each of
 * the five architectures (100,000 in all) through the kernel's public entry
 * points, with isolation checked after every call, from the file's seed
 * (printed; TEST_SEED repeats it). Every count asserted here is counted by
 * the run: the share of calls that took each interesting path, the calls
 * with bad registers, the error codes they got. The checks themselves must
 * catch the seeded kernel bugs that break isolation, and a seed gives the
 * same run twice.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ARCH_NAMES, architectures } from "../../../impl/arch/index.js";
import type { ArchName } from "../../../impl/arch/index.js";
import { SyscallError } from "../../../impl/kernel/errors.js";
import { Kernel } from "../../../impl/kernel/kernel.js";
import { encodeState } from "../../../impl/kernel/state.js";
import { executeSyscall } from "../../../impl/kernel/syscalls.js";
import { fuzzKernel } from "../../../impl/fuzz/driver.js";
import { pathShares, type Breach, type FuzzReport } from "../../../impl/fuzz/report.js";
import { pathsOf, type PathName } from "../../../impl/fuzz/paths.js";
import { fuzzSystem } from "../../../impl/fuzz/systems.js";
import type { KernelMutantName } from "../../../impl/mutants.js";
import { randomSeed } from "../../seed.js";

const seed = randomSeed(import.meta.url);

const CALLS_PER_ARCHITECTURE = 20_000;
const MINIMUM_CALLS = 100_000;
/** At least this share of all calls takes one of the interesting paths, on every architecture. */
const MINIMUM_INTERESTING_SHARE = 0.2;
/** And each path an architecture has takes at least this share (measured around 0.005 to 0.3; see docs/kernel-fuzz.md). */
const MINIMUM_PATH_SHARE: Readonly<Record<PathName, number>> = {
  map: 0.05,
  resolve: 0.01,
  resume: 0.003,
  "revoke-with-blocked": 0.002,
  "reassign-with-mappings": 0.02,
};
/** Calls with registers out of range or not words at all, per architecture. */
const MINIMUM_BAD_CALLS = 2_000;
/** The error codes bad registers must meet on every architecture (each architecture adds its own). */
const RANGE_ERRORS = ["BadCall", "BadThread", "NotSupported"];

const replay = (b: Breach): string =>
  `${b.arch}, episode ${b.episode}, step ${b.step}: ${b.message}\n  last steps:\n    ${b.lastSteps.join("\n    ")}\n` +
  `  replay: npm run build && node dist/bench/kernel-soak.js --arch ${b.arch} --seed ${b.seed} --episode ${b.episode} --trace`;

function summary(report: FuzzReport): string {
  const shares = pathShares(report);
  const paths = pathsOf(architectures[report.arch])
    .map((p) => `${p} ${(100 * shares.perPath[p]).toFixed(1)}%`)
    .join(", ");
  const bad = report.sources.typed.calls + report.sources["out-of-range"].calls + report.sources.garbage.calls;
  return (
    `${report.arch}: ${report.calls} calls (${bad} with bad registers), ${report.steps} steps, ${report.episodes} episodes; ` +
    `interesting ${(100 * shares.interesting).toFixed(1)}% (${paths}); ${report.breaches.length} breaches`
  );
}

const runs: FuzzReport[] = [];

describe(`kernel fuzz: ${CALLS_PER_ARCHITECTURE} system calls per architecture, isolation checked after every one (seed ${seed})`, () => {
  test.each(ARCH_NAMES)("%s: no breach; the interesting paths take their share of the calls; bad registers get error codes", (arch) => {
    const report = fuzzKernel({ arch, seed, calls: CALLS_PER_ARCHITECTURE });
    runs.push(report);
    console.log(summary(report));
    expect(report.breaches.map(replay)).toEqual([]);
    expect(report.calls).toBe(CALLS_PER_ARCHITECTURE);

    const shares = pathShares(report);
    expect(shares.interesting, "share of calls on the interesting paths").toBeGreaterThanOrEqual(MINIMUM_INTERESTING_SHARE);
    for (const path of pathsOf(architectures[arch])) expect(shares.perPath[path], path).toBeGreaterThanOrEqual(MINIMUM_PATH_SHARE[path]);

    const outOfRange = report.sources["out-of-range"].calls + report.sources.garbage.calls;
    expect(outOfRange).toBeGreaterThanOrEqual(MINIMUM_BAD_CALLS);
    for (const error of RANGE_ERRORS) expect(report.errors.get(error) ?? 0, error).toBeGreaterThan(0);
    if (architectures[arch].syscalls.has("Map")) {
      for (const error of ["BadTask", "BadRegion", "BadPage", "BadFrame", "BadRights", "NotManager", "NotOwner"]) expect(report.errors.get(error) ?? 0, error).toBeGreaterThan(0);
    }
  });

  test(`together: at least ${MINIMUM_CALLS} system calls across the five architectures`, (context) => {
    // Only meaningful after every architecture's run (not when a filter picked some of them).
    if (runs.length < ARCH_NAMES.length) context.skip();
    expect(runs.map((r) => r.arch).sort()).toEqual([...ARCH_NAMES].sort());
    expect(runs.reduce((sum, r) => sum + r.calls, 0)).toBeGreaterThanOrEqual(MINIMUM_CALLS);
  });
});

describe("the fuzz's own checks", () => {
  test("a seed gives the same run: the same calls, paths, errors and steps", () => {
    for (const arch of ["proposed", "l4re-via-rm"] as const) {
      const first = fuzzKernel({ arch, seed, calls: 800 });
      const second = fuzzKernel({ arch, seed, calls: 800 });
      const counts = (r: FuzzReport) => ({ ...r, seconds: 0, errors: [...r.errors].sort(), successes: [...r.successes].sort() });
      expect(counts(second)).toEqual(counts(first));
    }
  });

  test("an episode replays alone from (seed, architecture, episode)", () => {
    const whole: string[] = [];
    fuzzKernel({ arch: "proposed", seed, calls: Number.MAX_SAFE_INTEGER, episodes: 3, onStep: (line) => whole.push(line) });
    const third: string[] = [];
    fuzzKernel({ arch: "proposed", seed, calls: Number.MAX_SAFE_INTEGER, firstEpisode: 2, episodes: 1, onStep: (line) => third.push(line) });
    expect(third.length).toBeGreaterThan(0);
    expect(whole.slice(-third.length)).toEqual(third);
  });

  // Seeded kernel bugs that break isolation, and the check that catches each.
  const caught: ReadonlyArray<readonly [KernelMutantName, ArchName, RegExp]> = [
    ["no-invlpg", "proposed", /TlbAgreesWithPageTables/],
    ["no-shootdown", "proposed", /TlbAgreesWithPageTables/],
    ["no-flush-on-reassign", "proposed", /PresentPagesBelongToManager/],
    ["acceptance-without-map", "proposed", /AcceptedOnlyAfterMap/],
    ["shared-region-table", "proposed", /AcceptedOnlyAfterMap|PresentPagesBelongToManager|without owning the frame or managing the region/],
    ["no-flush-on-reassign", "monolithic", /PresentPagesBelongToManager/],
  ];
  test.each(caught)("seeded bug %s on %s is a breach", (mutant, arch, message) => {
    const report = fuzzKernel({ arch, seed, calls: 2_000, mutant });
    expect(report.breaches.length, `${mutant} went unnoticed in ${report.calls} calls`).toBeGreaterThan(0);
    expect(report.breaches.map((b) => b.message).join("\n")).toMatch(message);
  });
});

describe("any registers get an error code or the call, never an exception (property)", () => {
  const register = fc.oneof(
    fc.integer({ min: 0, max: 8 }),
    fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    fc.constantFrom(2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, -1, -0, 0.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    fc.double(),
  );
  const known = new Set(Object.values(SyscallError).filter((v) => typeof v === "number"));

  test.each(ARCH_NAMES)("%s: from every running thread; an error changes nothing", (arch) => {
    const booted = Kernel.boot(fuzzSystem(arch), architectures[arch]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: booted.config.cpus - 1 }), register, fc.array(register, { maxLength: 8 }), (cpu, number, args) => {
        const k = booted.fork();
        fc.pre(k.threadOn(cpu) !== null && k.status(k.threadOn(cpu)!).tag === "running");
        const before = encodeState(k.state);
        const { error } = executeSyscall(k, cpu, { number, args });
        expect(known.has(error)).toBe(true);
        if (error !== SyscallError.Ok) expect(encodeState(k.state)).toEqual(before);
      }),
      { numRuns: 400 },
    );
  });
});
