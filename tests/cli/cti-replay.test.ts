/**
 * `trace replay` of a counterexample to induction (a CTI file of `prove`):
 * the first state is taken as recorded once it is shown to be a state of
 * IndInv; the step must be enabled from it; the verdict is whether the
 * property is still broken. A CTI of a seeded bug reproduces (12), is fixed
 * without the bug (0), no longer applies when its first state is not in
 * IndInv or its step is disabled (20), and a first state that is no state
 * of the configuration is a bad file (151).
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { beforeAll, describe, expect, test } from "vitest";
import { inFreshDirectory, multipager } from "./run-cli.js";

inFreshDirectory("cti-replay");

type Itf = { states: Record<string, unknown>[] } & Record<string, unknown>;
let cti: Itf;

beforeAll(async () => {
  const run = await multipager("prove", "--mutant", "revoke-on-any-unmap", "--no-reachability");
  expect(run.code, run.stderr).toBe(12);
  const file = readdirSync(".").find((f) => f.startsWith("cti-"))!;
  cti = JSON.parse(readFileSync(file, "utf8")) as Itf;
}, 300_000);

/** The CTI with `edit` applied to a copy, written to a file. */
function edited(name: string, edit: (t: Itf) => void): string {
  const copy = structuredClone(cti);
  edit(copy);
  writeFileSync(name, JSON.stringify(copy));
  return name;
}

describe("trace replay of a counterexample to induction", () => {
  test("the CTI of revoke-on-any-unmap reproduces (12), and is fixed against the design (0)", async () => {
    const file = edited("cti.itf.json", () => undefined);
    expect((cti.states[0]!["#meta"] as { action: string }).action).toBe("IndInv");
    const run = await multipager("trace", "replay", file);
    expect(run.stdout).toMatch(/^Reproduces: all 1 steps apply and invariant AgreementHeldWhileMapped is violated on the last state\.$/m);
    expect(run.code).toBe(12);
    const fixed = await multipager("trace", "replay", file, "--mutant", "none");
    expect(fixed.stdout).toMatch(/^Fixed: /m);
    expect(fixed.code).toBe(0);
  });

  test("a first state outside IndInv (an accepted region without a manager): no longer applies, 20", async () => {
    const file = edited("not-indinv.itf.json", (t) => {
      (t.states[0]!["regionTable"] as unknown[][])[0]![0] = { assigned: false, accepted: true };
    });
    const run = await multipager("trace", "replay", file);
    expect(run.stdout).toMatch(/^No longer applies at State 1: the first state is not a state of IndInv: .*AcceptedRegionsHaveAManager/m);
    expect(run.code).toBe(20);
  });

  test("a step that is not enabled from the first state: no longer applies, 20", async () => {
    const file = edited("disabled.itf.json", (t) => {
      // REVOKE_AGREEMENT removes memory: it needs a present page, and this one is not.
      const meta = t.states[1]!["#meta"] as { params: Record<string, unknown> };
      const pages = (t.states[0]!["pageTable"] as { present: boolean }[][][])[0]![0]!;
      meta.params["page"] = pages.findIndex((p) => !p.present);
      meta.params["revoke"] = true;
    });
    const run = await multipager("trace", "replay", file);
    expect(run.stdout).toMatch(/^No longer applies at State 2: Unmap\(.*\) is not enabled/m);
    expect(run.code).toBe(20);
  });

  test("a first state that is no state of the configuration (a thread that does not exist): a bad file, 151", async () => {
    const file = edited("bad-state.itf.json", (t) => {
      (t.states[0]!["regionTable"] as unknown[][])[0]![0] = { assigned: true, manager: 7, accepted: true };
    });
    const run = await multipager("trace", "replay", file);
    expect(run.code).toBe(151);
    expect(run.stderr).toMatch(/bad-state\.itf\.json: states\[0\]: not a state of the trace's configuration/);
    expect(run.stderr.trim().split("\n").filter((l) => !l.startsWith("note"))).toHaveLength(1);
  });
});
