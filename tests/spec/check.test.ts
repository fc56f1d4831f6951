import { describe, expect, it } from "vitest";
import { check } from "../../model/index.js";
import { ACTION_NAMES, buildSpec, namedConfigs, specMutants } from "../../spec/index.js";
import { configNamed } from "./helpers.js";

describe("seeded design bugs", () => {
  it("are listed with distinct names", () => {
    expect(new Set(specMutants.map((m) => m.name)).size).toBe(specMutants.length);
    expect(specMutants.length).toBeGreaterThanOrEqual(6);
  });

  it.each(specMutants.map((m) => [m.name, m] as const))("%s is caught with a shortest trace", (_name, mutant) => {
    const result = check(buildSpec(configNamed(mutant.config), mutant.name));
    expect(result.status).toBe("violation");
    expect(result.violation).toMatchObject({ kind: "invariant", name: mutant.caughtBy });
    const trace = result.trace!;
    expect(trace[0]!.action).toBe("Init");
    // Shortest: the same search with the depth bounded one step below finds nothing.
    const shorter = check(buildSpec(configNamed(mutant.config), mutant.name), { maxDepth: trace.length - 2 });
    expect(shorter.status).not.toBe("violation");
  });

  it("rejects an unknown mutant as a usage error", () => {
    expect(() => buildSpec(configNamed("tiny"), "no-such-bug")).toThrow(/unknown mutant "no-such-bug"/);
  });
});

const DOCUMENTED_DISTINCT: Record<string, number> = { tiny: 1368, default: 64616, "two-tasks": 63796, "two-pagers": 96604 };

describe("the unmodified spec", () => {
  const quick = ["tiny", "default", "two-tasks", "two-pagers"];
  it.each(quick)("passes on %s with no deadlock, every action firing", (name) => {
    const result = check(buildSpec(configNamed(name)));
    expect(result.status).toBe("ok");
    // The counts documented in docs/spec.md (and which a Promela translation of spec/README.md must reproduce).
    expect(result.statistics.distinct).toBe(DOCUMENTED_DISTINCT[name]);
    if (name !== "tiny" && name !== "two-pagers") {
      const fired = new Set(result.statistics.coverage.filter((c) => c.firings > 0).map((c) => c.action));
      expect([...ACTION_NAMES].filter((a) => !fired.has(a))).toEqual([]);
    }
  });

  it("has the quick configurations among the named ones", () => {
    for (const name of quick) expect(namedConfigs.some((c) => c.name === name)).toBe(true);
  });
});
