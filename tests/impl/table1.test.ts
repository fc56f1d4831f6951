import { describe, expect, it, vi } from "vitest";
import { architectures } from "../../impl/arch/index.js";
import { smallLayout } from "../../impl/kernel/layout.js";
import { buildTable1, formatTable1, PAPER_TABLE_I } from "../../impl/table1.js";
import { measurePlainFault, measureRacedFault, measureGeneralProtectionFault } from "../../impl/workload.js";
import { run } from "../../cli/commands/table1.js";
import { InputError } from "../../model/input-error.js";

describe("Table I, measured", () => {
  const report = buildTable1();

  it("matches every row of the paper with figures the CPUs counted", () => {
    expect(report.matchesPaper).toBe(true);
    for (const row of report.rows) {
      const paper = PAPER_TABLE_I[row.arch];
      if (paper) expect(row.plain.perFault, row.arch).toEqual({ mode: paper.mode, context: paper.context });
    }
    expect(report.rows.find((r) => r.arch === "l4re-via-rm")!.plain.perFault).toEqual({ mode: 8, context: 4 });
  });

  it("measures the raced fault (Fig. 3, thread B) and the general-protection fault", () => {
    const by = Object.fromEntries(report.rows.map((r) => [r.arch, r]));
    expect(by["proposed"]!.raced.perFault).toEqual({ mode: 2, context: 0 });
    expect(by["l4"]!.raced.perFault).toEqual({ mode: 4, context: 2 });
    // L4Re's region mapper re-checks the page at user level and resumes thread B itself.
    expect(by["l4re"]!.raced.perFault).toEqual({ mode: 4, context: 2 });
    expect(by["l4re-via-rm"]!.raced.perFault).toEqual({ mode: 4, context: 2 });
    expect(by["proposed"]!.generalProtection.perFault).toEqual({ mode: 2, context: 1 });
    expect(by["l4re"]!.generalProtection.perFault).toEqual({ mode: 4, context: 2 });
  });

  it("counts the region table's memory from the frames installed: 4 KiB per address space in the kernel, or in L4Re's region mapper", () => {
    const by = Object.fromEntries(report.rows.map((r) => [r.arch, r]));
    expect(by["proposed"]!.kernelRegionTableBytes).toBe(4096);
    expect(by["l4"]!.kernelRegionTableBytes + by["l4"]!.userRegionMapBytes).toBe(0);
    expect(by["l4re"]!.userRegionMapBytes).toBe(4096);
  });

  it("is measured, not written down: a different workload gives different figures", () => {
    // A pager that replies and then waits in a separate call costs one more kernel entry and return per fault.
    expect(measurePlainFault(architectures.proposed, { replyAndWait: false }).perFault).toEqual({ mode: 6, context: 2 });
    expect(measurePlainFault(architectures.l4re, { replyAndWait: false }).perFault).toEqual({ mode: 8, context: 3 });
    // The same on a small layout, and for any number of faults.
    expect(measurePlainFault(architectures.proposed, { layout: smallLayout(2, 8), faults: 7 })).toEqual({ perFault: { mode: 4, context: 2 }, faults: 7 });
    expect(measureRacedFault(architectures.monolithic).perFault).toEqual({ mode: 2, context: 0 });
    expect(measureGeneralProtectionFault(architectures.monolithic).perFault).toEqual({ mode: 2, context: 1 });
  });

  it("prints stable text, Markdown and JSON", () => {
    const text = formatTable1(report, "text");
    expect(text).toBe(formatTable1(buildTable1(), "text"));
    expect(text).toMatch(/Proposed approach\s+4\/2\s+4\/2\s+yes/);
    expect(formatTable1(report, "md")).toContain("| Proposed approach | 4/2 | 4/2 | yes |");
    const json = JSON.parse(formatTable1(report, "json"));
    expect(json.matchesPaper).toBe(true);
    expect(json.rows).toHaveLength(5);
  });
});

describe("multipager table1", () => {
  it("exits 0 when the paper's rows match, and rejects bad options as usage errors", async () => {
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      expect(await run(["--format", "json", "--arch", "proposed,l4"])).toBe(0);
      const printed = JSON.parse(String(out.mock.calls.at(-1)![0]));
      expect(printed.rows.map((r: { arch: string }) => r.arch)).toEqual(["proposed", "l4"]);
      expect(await run(["--help"])).toBe(0);
    } finally {
      out.mockRestore();
    }
    await expect(run(["--format", "xml"])).rejects.toThrow(InputError);
    await expect(run(["--arch", "vms"])).rejects.toThrow(/unknown architecture "vms"/);
    await expect(run(["--faults", "0"])).rejects.toThrow(/--faults/);
    await expect(run(["--nope"])).rejects.toThrow(/--nope/);
  });
});
