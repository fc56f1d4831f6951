/** `multipager x86 ...`: exit codes, messages and files, as a user meets them. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, test } from "vitest";
import { ExitCode } from "../../cli/exit-codes.js";
import { parseCase, type X86Case } from "../../impl/x86case/format.js";
import { QemuRunError, runOnQemu } from "../../impl/x86case/qemu.js";
import { DEVIATION_KINDS } from "../../impl/x86case/deviations.js";
import { WALKER_BUGS } from "../../impl/x86case/walker-bugs.js";
import { qemuAvailable, reportMissingQemu } from "./qemu-available.js";
import { multipager } from "../cli/run-cli.js";


const directory = mkdtempSync(join(tmpdir(), "multipager-x86-cli-"));
const writeProtect = fileURLToPath(new URL("./cases/write-protect.case", import.meta.url));
const pse36AboveFourGiB = fileURLToPath(new URL("./cases/pse36-above-4gib.case", import.meta.url));

afterEach(() => {
  delete process.env["MULTIPAGER_QEMU"];
});

describe("multipager x86 (no QEMU needed)", () => {
  test("without a subcommand it prints the usage and exits 2; --help exits 0", async () => {
    const bare = await multipager("x86");
    expect(bare.code).toBe(ExitCode.Usage);
    expect(bare.stdout).toContain("usage: multipager x86 <subcommand>");
    expect((await multipager("x86", "--help")).code).toBe(ExitCode.Ok);
  });

  test.each([
    [["x86", "frob"], "unknown subcommand 'frob'"],
    [["x86", "run"], "expected exactly one CASE file"],
    [["x86", "run", "a", "b"], "expected exactly one CASE file"],
    [["x86", "run", writeProtect, "--walker-bug", "nope"], "unknown walker bug 'nope'"],
    [["x86", "run", writeProtect, "--show", "qemu"], "--show qemu needs --qemu"],
    [["x86", "run", writeProtect, "--bogus"], "unknown option '--bogus'"],
    [["x86", "gen", "--ops", "5", "-o", "x.case"], "--seed S is required"],
    [["x86", "gen", "--seed", "5"], "-o CASE is required"],
    [["x86", "gen", "--seed", "abc", "-o", "x.case"], "--seed must be an integer in 0..2147483647"],
    [["x86", "gen", "--seed", "1", "--ops", "0", "-o", "x.case"], "--ops must be an integer in 1..100000"],
    [["x86", "gen", "--seed", "1", "--qemu", "-o", "x.case"], "option --qemu does not apply"],
    [["x86", "fuzz", "--cases", "0"], "--cases must be an integer"],
    [["x86", "run", writeProtect, "--rules", "amd"], "--rules must be sdm or qemu-tcg"],
    [["x86", "run", writeProtect, "--rules", "qemu-tcg", "--walker-bug", "ignore-wp"], "--walker-bug plants its bug in the sdm rules"],
    [["x86", "run", writeProtect, "--rules", "sdm", "--walker-bug", "pse36-drops-high-bits"], "--walker-bug plants its bug in the qemu-tcg rules"],
  ])("%j is a usage error (exit 2) naming the problem", async (argv, message) => {
    const run = await multipager(...argv);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toContain(message);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });

  test("a missing or invalid case file is bad input (exit 151) with one line naming it", async () => {
    const missing = await multipager("x86", "run", join(directory, "missing.case"));
    expect(missing.code).toBe(ExitCode.BadInput);
    expect(missing.stderr).toMatch(/^multipager: cannot read case file .*missing\.case: no such file \(ENOENT\)\n$/);
    const bad = join(directory, "bad.case");
    writeFileSync(bad, "x86-case 1\nwp 1\npse 0\ncr3 0x00400000\nop read0 0x00001000\n");
    const invalid = await multipager("x86", "run", bad);
    expect(invalid.code).toBe(ExitCode.BadInput);
    expect(invalid.stderr).toContain("bad.case: op 1 (read0): linear 0x00001000 is below 0x01000000");
    expect(invalid.stderr.trim().split("\n")).toHaveLength(1);
  });

  test("gen writes the seed's case, the same bytes every time; run prints the model's lines", async () => {
    const first = join(directory, "first.case");
    const second = join(directory, "second.case");
    expect((await multipager("x86", "gen", "--seed", "11", "--ops", "80", "-o", first)).code).toBe(ExitCode.Ok);
    expect((await multipager("x86", "gen", "--seed", "11", "--ops", "80", "-o", second)).code).toBe(ExitCode.Ok);
    expect(readFileSync(first, "utf8")).toBe(readFileSync(second, "utf8"));
    expect(parseCase(readFileSync(first, "utf8")).operations).toHaveLength(80);
    const run = await multipager("x86", "run", first);
    expect(run.code).toBe(ExitCode.Ok);
    const lines = run.stdout.trim().split("\n");
    expect(lines.filter((line) => line.startsWith("op "))).toHaveLength(80);
    expect(lines[lines.length - 1]).toMatch(/^end ops=80 changed=\d+$/);
    expect((await multipager("x86", "run", first)).stdout).toBe(run.stdout);
  });

  test("bugs and deviations list what --walker-bug and the comparison know", async () => {
    const bugs = await multipager("x86", "bugs");
    for (const bug of WALKER_BUGS) expect(bugs.stdout).toContain(bug.name);
    const deviations = await multipager("x86", "deviations");
    for (const kind of DEVIATION_KINDS) expect(deviations.stdout).toContain(kind);
  });

  test("--qemu without QEMU installed exits 154 with one clear line", async () => {
    process.env["MULTIPAGER_QEMU"] = join(directory, "no-such-qemu");
    const run = await multipager("x86", "run", writeProtect, "--qemu");
    expect(run.code).toBe(ExitCode.ExternalTool);
    expect(run.stderr).toBe("multipager: x86: qemu-system-i386 not found on PATH (install the Debian package qemu-system-x86, or set MULTIPAGER_QEMU)\n");
  });
});

reportMissingQemu("multipager x86 --qemu / fuzz");

describe.runIf(qemuAvailable)("multipager x86 with QEMU", () => {
  test("run --qemu agrees on a directed case (exit 0) and a planted bug disagrees (exit 1, first differing lines)", async () => {
    const agree = await multipager("x86", "run", writeProtect, "--qemu");
    expect(agree.code).toBe(ExitCode.Ok);
    expect(agree.stdout).toContain("the model and QEMU agree on every line");
    const disagree = await multipager("x86", "run", writeProtect, "--qemu", "--walker-bug", "ignore-wp");
    expect(disagree.code).toBe(ExitCode.Mismatch);
    expect(disagree.stdout).toContain("op 6:\n    model: op 6 write0 0x01000008 0x00000040 -> ok\n    qemu:  op 6 write0 0x01000008 0x00000040 -> #PF cr2=0x01000008 err=0x00000003");
  });

  test("a 4-MiB page above 4 GiB (PSE-36): QEMU_TCG_RULES agree with QEMU without allowance, the SDM's only through the narrow deviation, and a walker dropping bits 39:32 disagrees", async () => {
    const qemuRules = await multipager("x86", "run", pse36AboveFourGiB, "--qemu", "--rules", "qemu-tcg", "--show", "qemu");
    expect(qemuRules.code).toBe(ExitCode.Ok);
    expect(qemuRules.stdout).toContain("op 2 read0 0x02000008 -> 0x00000000\n");
    expect(qemuRules.stdout).toContain("the model and QEMU agree on every line (no documented deviation used)");
    const sdm = await multipager("x86", "run", pse36AboveFourGiB, "--qemu");
    expect(sdm.code).toBe(ExitCode.Ok);
    expect(sdm.stdout).toContain("documented deviations used: pse36-large-page 3");
    const alias = await multipager("x86", "run", pse36AboveFourGiB, "--qemu", "--walker-bug", "pse36-drops-high-bits");
    expect(alias.code).toBe(ExitCode.Mismatch);
    expect(alias.stdout).toContain("op 2:\n    model: op 2 read0 0x02000008 -> 0x12345678\n    qemu:  op 2 read0 0x02000008 -> 0x00000000");
  });

  test("a hung QEMU is killed at the timeout; the kernel's own checks stop it with an error line", async () => {
    const c = parseCase(readFileSync(writeProtect, "utf8"));
    await expect(runOnQemu(c, { timeoutMs: 1 })).rejects.toThrow(/QEMU did not finish within 1 ms and was killed/);
    // Bypass parseCase: the kernel refuses an access in its own 16 MiB by itself.
    const unchecked: X86Case = { wp: true, pse: false, cr3: 0x00400000, image: [], operations: [{ kind: "read0", address: 0x1000 }] };
    await expect(runOnQemu(unchecked)).rejects.toThrow(QemuRunError);
    await expect(runOnQemu(unchecked)).rejects.toThrow("the test kernel stopped: error invalid operation at op 1");
  });

  test("fuzz prints its seed and agrees; with a planted bug it exits 1 and says how to reproduce", async () => {
    const clean = await multipager("x86", "fuzz", "--seed", "77", "--cases", "2", "--ops", "150");
    expect(clean.code).toBe(ExitCode.Ok);
    expect(clean.stdout).toContain("x86 fuzz: seed 77, 2 cases x 150 operations");
    expect(clean.stdout).toContain("2 of 2 cases agree, 300 operations compared");
    const qemuRules = await multipager("x86", "fuzz", "--seed", "77", "--cases", "2", "--ops", "150", "--rules", "qemu-tcg");
    expect(qemuRules.code).toBe(ExitCode.Ok);
    expect(qemuRules.stdout).toContain("QEMU_TCG_RULES");
    const buggy = await multipager("x86", "fuzz", "--seed", "77", "--cases", "2", "--ops", "150", "--walker-bug", "dirty-on-read", "--save", directory);
    expect(buggy.code).toBe(ExitCode.Mismatch);
    expect(buggy.stdout).toMatch(/saved .*x86-seed-7[78]\.case; rerun: multipager x86 run .* --qemu --walker-bug dirty-on-read/);
  });

  test("fuzz --save makes a missing directory; when it cannot save, one line per case, the reproduce command, and still exit 1", async () => {
    const fresh = join(directory, "made", "by", "fuzz");
    const saved = await multipager("x86", "fuzz", "--seed", "77", "--cases", "1", "--ops", "150", "--walker-bug", "dirty-on-read", "--save", fresh);
    expect(saved.code).toBe(ExitCode.Mismatch);
    expect(readFileSync(join(fresh, "x86-seed-77.case"), "utf8")).toContain("x86-case 1");
    const blocked = join(directory, "a-file");
    writeFileSync(blocked, "not a directory");
    const lost = await multipager("x86", "fuzz", "--seed", "77", "--cases", "1", "--ops", "150", "--walker-bug", "dirty-on-read", "--save", join(blocked, "cases"));
    expect(lost.code).toBe(ExitCode.Mismatch);
    expect(lost.stderr).toBe(`multipager: x86 fuzz: cannot create ${join(blocked, "cases")} (ENOTDIR); the case is not saved, the verdict stands\n`);
    expect(lost.stdout).toContain("reproduce: multipager x86 gen --seed 77 --ops 150 -o case.txt && multipager x86 run case.txt --qemu --walker-bug dirty-on-read");
  });
});
