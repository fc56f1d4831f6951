/**
 * A bad trace file gets one line naming the problem and exit 151, never a
 * stack trace: for show and for replay alike.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ExitCode } from "../../cli/exit-codes.js";
import { multipagerTrace } from "./run-trace.js";

const tmp = mkdtempSync(join(tmpdir(), "multipager-malformed-"));
const GOOD = readFileSync("tests/traces/spec-no-present-recheck.itf.json", "utf8");

type Json = Record<string, any>;
const good = (): Json => JSON.parse(GOOD) as Json;

function file(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

const edited = (name: string, edit: (itf: Json) => void): string => {
  const itf = good();
  edit(itf);
  return file(name, JSON.stringify(itf, null, 2));
};

const cases: [string, () => string, RegExp][] = [
  ["truncated JSON", () => file("truncated.itf.json", GOOD.slice(0, Math.floor(GOOD.length / 2))), /not valid JSON/],
  ["an empty file", () => file("empty.itf.json", ""), /empty file, not a trace/],
  ["a JSON array", () => file("array.itf.json", "[1, 2]"), /not a multipager ITF trace: top level: Expected/],
  ["an unknown format version", () => edited("version.itf.json", (itf) => (itf["#meta"].version = 99)), /#meta\.version: Expected 1, actual 99/],
  ["a missing field", () => edited("missing.itf.json", (itf) => delete itf["#meta"].violation), /#meta\.violation: is missing/],
  ["no states", () => edited("nostates.itf.json", (itf) => (itf.states = [])), /states: Expected an array of at least 1 item/],
  ["a wrong type", () => edited("type.itf.json", (itf) => (itf.states[1]["#meta"].action = 7)), /states\.\[1\]\.#meta\.action: Expected string, actual 7|states\[1\].*action.*Expected string/],
  ["a wrong state index", () => edited("index.itf.json", (itf) => (itf.states[2]["#meta"].index = 5)), /states\[2\]\.#meta\.index is 5, expected 2/],
  ["a variable missing from a state", () => edited("var.itf.json", (itf) => delete itf.states[1].threads), /states\[1\] lacks variable 'threads'/],
  ["an unknown action", () => edited("action.itf.json", (itf) => (itf.states[2]["#meta"].action = "Teleport")), /states\[2\]\.#meta\.action: unknown action "Teleport" \(multipager-spec has: AssignManager, /],
  ["a first state that is not Init", () => edited("init.itf.json", (itf) => (itf.states[0]["#meta"].action = "Map")), /states\[0\]\.#meta\.action: the first state must be "Init"/],
  ["an unknown machine", () => edited("machine.itf.json", (itf) => (itf["#meta"].machine = "tlc")), /#meta\.machine: unknown machine "tlc"/],
  ["an unknown mutant", () => edited("mutant.itf.json", (itf) => (itf["#meta"].mutant = "gone")), /#meta\.mutant: unknown mutant "gone"/],
  ["an invalid configuration", () => edited("config.itf.json", (itf) => (itf["#meta"].configValue.tasks = "one")), /#meta\.configValue: /],
  ["an unknown invariant", () => edited("invariant.itf.json", (itf) => (itf["#meta"].violation.name = "Nonsense")), /#meta\.violation\.name: unknown invariant "Nonsense"/],
  ["a loop past the end", () => edited("loop.itf.json", (itf) => (itf.loop = 40)), /loop index 40 is past the last state/],
  // ITF's own grammar (ADR-015): integers and the tagged forms.
  ["a #set that is not a list", () => edited("set.itf.json", (itf) => (itf.states[1].pending = { "#set": 5 })), /not an ITF value: states\[1\]\.pending\.#set: "#set" must hold a JSON array, got 5/],
  ["a fraction for an integer", () => edited("fraction.itf.json", (itf) => (itf.states[2].pageTable[0][0][0].marker = 0.5)), /not an ITF value: states\[2\]\.pageTable\[0\]\[0\]\[0\]\.marker: 0\.5 is not an integer/],
  ["a fraction in a parameter", () => edited("param.itf.json", (itf) => (itf.states[1]["#meta"].params.region = 0.5)), /states\[1\]\.#meta\.params\.region: 0\.5 is not an integer/],
  ["a #map entry that is not a pair", () => edited("map.itf.json", (itf) => (itf.states[0].pending = { "#map": [[0]] })), /states\[0\]\.pending\.#map\[0\]: a "#map" entry must be a \[key, value\] pair/],
  ["a #bigint that is not digits", () => edited("bigint.itf.json", (itf) => (itf.states[0].pending = { "#bigint": "12a" })), /states\[0\]\.pending\.#bigint: must be a string of decimal digits/],
  ["a #tup that is not a list", () => edited("tup.itf.json", (itf) => (itf.states[0].threads = { "#tup": {} })), /states\[0\]\.threads\.#tup: "#tup" must hold a JSON array, got an object/],
  ["an unknown tag", () => edited("tag.itf.json", (itf) => (itf.states[0].threads = { "#list": [] })), /states\[0\]\.threads: unknown tag "#list"/],
  ["a tag beside other fields", () => edited("tag2.itf.json", (itf) => (itf.states[0].threads = { "#set": [], extra: 1 })), /states\[0\]\.threads: a tagged value has exactly one field/],
  ["null", () => edited("null.itf.json", (itf) => (itf.states[0].threads = null)), /states\[0\]\.threads: null is not an ITF value/],
  ["an integer beyond 2^53", () => edited("huge.itf.json", (itf) => (itf["#meta"].configValue.tasks = 2 ** 60)), /#meta\.configValue\.tasks: .* is outside -\(2\^53-1\)\.\.2\^53-1/],
  ["values nested too deep", () => edited("deep.itf.json", (itf) => (itf.states[0].threads = JSON.parse("[".repeat(300) + "]".repeat(300)))), /JSON nested more than 64 levels deep/],
];

describe("malformed trace files: exit 151 and one line naming the problem", () => {
  for (const subcommand of ["show", "replay"] as const) {
    test.each(cases)(`${subcommand}: %s`, async (_, make, expected) => {
      const path = make();
      const run = await multipagerTrace(subcommand, path);
      expect(run.code).toBe(ExitCode.BadInput);
      expect(run.stdout).toBe("");
      expect(run.stderr.endsWith("\n")).toBe(true);
      expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(run.stderr).toContain(path);
      expect(run.stderr).toMatch(expected);
      expect(run.stderr).not.toMatch(/internal error|\bat .*\.ts:\d+/);
    });
  }

  test.each([
    ["an unknown obligation", (itf: Json): void => {
      itf["#meta"].violation.name = "Whatever";
    }, /#meta\.violation\.name: unknown refinement obligation "Whatever"/],
    ["an unknown implementation mutant", (itf: Json): void => {
      itf["#meta"].mutant = "no-such-bug";
    }, /#meta\.mutant: unknown implementation mutant "no-such-bug"/],
    ["an unknown architecture", (itf: Json): void => {
      itf["#meta"].arch = "mach";
    }, /#meta\.arch: unknown architecture "mach"/],
    ["an unknown concrete action", (itf: Json): void => {
      itf.states[1]["#meta"].action = "Teleport";
    }, /states\[1\]\.#meta\.action: unknown action "Teleport"/],
  ] as const)("a refinement trace with %s", async (_, edit, expected) => {
    const itf = JSON.parse(readFileSync("tests/traces/impl-no-invlpg.itf.json", "utf8")) as Json;
    edit(itf);
    const path = file(`refinement-${_.replace(/ /g, "-")}.itf.json`, JSON.stringify(itf));
    for (const subcommand of ["show", "replay"]) {
      const run = await multipagerTrace(subcommand, path);
      expect(run.code).toBe(ExitCode.BadInput);
      expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(run.stderr).toMatch(expected);
    }
  });

  test("a missing file", async () => {
    const run = await multipagerTrace("replay", join(tmp, "nowhere.itf.json"));
    expect(run.code).toBe(ExitCode.BadInput);
    expect(run.stderr).toMatch(/^multipager: cannot read trace file .*nowhere\.itf\.json: no such file \(ENOENT\)\n$/);
  });

  test("an edited file keeps working, with a note that its id no longer matches", async () => {
    const path = edited("renamed.itf.json", (itf) => (itf["#meta"].id = "000000000000"));
    const run = await multipagerTrace("replay", path);
    expect(run.code).toBe(ExitCode.Safety);
    expect(run.stderr).toMatch(/note: .* says id 000000000000 but its content hashes to [0-9a-f]{12}/);
  });
});

describe("usage errors: exit 2", () => {
  test.each([
    [["show"], /trace show: expected one trace FILE, got none/],
    [["show", "a", "b"], /trace show: expected one trace FILE, got 2/],
    [["show", "tests/traces/spec-no-present-recheck.itf.json", "--format", "pdf"], /--format must be one of text, md, svg, itf, got "pdf"/],
    [["replay", "x", "--format", "md"], /trace replay: --format does not apply here/],
    [["frobnicate"], /unknown subcommand "frobnicate"/],
    [["show", "--colour"], /unknown option '--colour'/i],
  ])("%j", async (argv, expected) => {
    const run = await multipagerTrace(...argv);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toMatch(expected);
  });
});

describe("help", () => {
  test("trace --help lists the subcommands and replay's exit codes (exit 0)", async () => {
    const run = await multipagerTrace("--help");
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.stdout).toContain("multipager trace show FILE [--format text|md|svg|itf] [-o OUT]");
    expect(run.stdout).toContain("20 no longer applies");
  });

  test("trace without a subcommand prints the usage and exits 2", async () => {
    const run = await multipagerTrace();
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stdout).toContain("usage: multipager trace");
  });
});
