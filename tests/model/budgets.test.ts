/**
 * Budgets of the exhaustive search: the state budget and the memory budget
 * stop it cleanly, with status "budget", the reason, and partial statistics.
 */
import { describe, expect, test } from "vitest";
import { check } from "../../model/check.js";
import { buildSpec, namedConfigs } from "../../spec/index.js";

const config = namedConfigs.find((c) => c.name === "three-consumers")!.config;

describe("budgets", () => {
  test("a state budget stops at exactly that many distinct states", () => {
    const result = check(buildSpec(config), { maxStates: 5000 });
    expect(result.status).toBe("budget");
    expect(result.budget).toContain("5000 distinct states");
    expect(result.statistics.distinct).toBe(5000);
    expect(result.statistics.queue).toBeGreaterThan(0);
  });

  test("a memory budget stops before the search's arrays exceed it, with partial statistics", () => {
    const budget = 2 ** 20;
    const result = check(buildSpec(config), { maxMemory: budget });
    expect(result.status).toBe("budget");
    expect(result.budget).toContain("memory budget of 1.0 MiB");
    expect(result.statistics.storeBytes).toBeLessThanOrEqual(budget);
    expect(result.statistics.distinct).toBeGreaterThan(10_000);
    expect(result.statistics.distinct).toBeLessThan(399_492);
  });

  test("the visited set costs at most 16 bytes per distinct state", () => {
    const result = check(buildSpec(config));
    expect(result.status).toBe("ok");
    expect(result.statistics.visitedBytes! / result.statistics.distinct).toBeLessThanOrEqual(16);
  });
});
