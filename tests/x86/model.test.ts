/** The model side alone (no QEMU needed): directed cases print their expected lines; layout errors are bad input. */
import { describe, expect, test } from "vitest";
import { InputError } from "../../model/input-error.js";
import { parseCase } from "../../impl/x86case/format.js";
import { WindowMemory, runOnModel } from "../../impl/x86case/model-run.js";
import { formatReport } from "../../impl/x86case/output.js";
import { RULE_SETS, RULE_SET_NAMES } from "../../impl/x86case/rule-sets.js";
import { WALKER_BUGS, walkerBug } from "../../impl/x86case/walker-bugs.js";
import { directedCases } from "./directed.js";

describe("directed cases on the model", () => {
  test.each(directedCases().map((d) => [d.name, d] as const))("%s prints every expected line, with each rule set", (_name, d) => {
    expect(d.expected.sdm.length).toBeGreaterThan(0);
    for (const name of RULE_SET_NAMES) {
      const lines = formatReport(d.case, runOnModel(d.case, RULE_SETS[name].rules).report);
      for (const line of d.expected[name]) expect(lines, `${d.name} with ${name} rules`).toContain(line);
    }
  });

  test.each(WALKER_BUGS.map((bug) => [bug.name, bug] as const))("planted walker bug %s breaks some expected line of its rule set", (_name, bug) => {
    const broken = directedCases().filter((d) => {
      const lines = formatReport(d.case, runOnModel(d.case, bug.rules).report);
      return d.expected[bug.base].some((line) => !lines.includes(line));
    });
    expect(broken.length).toBeGreaterThan(0);
  });

  test("an unknown walker bug is a usage error naming the known ones", () => {
    expect(() => walkerBug("nope")).toThrow(/unknown walker bug 'nope' \(known: ignore-wp, /);
  });
});

describe("model runner", () => {
  test("every window word starts as its own physical address; outside the window memory is zero", () => {
    const memory = new WindowMemory();
    expect(memory.read32(0x00400000)).toBe(0x00400000);
    expect(memory.read32(0x00fffffc)).toBe(0x00fffffc);
    expect(memory.read32(0x01000000)).toBe(0);
    memory.write32(0x00800004, 7);
    expect(memory.read32(0x00800008)).toBe(0x00800008);
    expect(memory.touchedFrames()).toEqual([0x00400000, 0x00800000, 0x00fff000]);
  });

  const base = "x86-case 1\nwp 1\npse 1\ncr3 0x00400000\n";
  test.each([
    ["a PTE mapping a frame outside the window", "word 0x00400010 0x00402007\nword 0x00402000 0x00100007\nop read0 0x01000000\n", "PTE 0x00402000 maps the frame 0x00100000 outside the window"],
    ["a PDE pointing at a page table outside the window", "word 0x00400010 0x02000007\nop read0 0x01000000\n", "points at a page table 0x02000000 outside the window"],
    ["a 4-MiB page outside the window", "word 0x00400010 0x01000087\nop read0 0x01000000\n", "maps the 4-MiB page 0x01000000 outside the window"],
    ["a directory read as a page table at the kernel's PDEs", "word 0x00400010 0x00400007\nop read0 0x01000000\n", "reads PDE 0 of directory 0x00400000 as a PTE"],
    ["a read reaching the kernel's PDEs through a self-map", "word 0x00400014 0x00400007\nop read0 0x01405008\n", "the read would reach 0x00400008"],
    ["a write landing on the kernel's PDEs", "word 0x00400010 0x00402007\nword 0x00402000 0x00400007\nop write0 0x01000004 0x0\n", "the write would reach 0x00400004"],
  ])("%s is bad input, not a difference", (_what, body, message) => {
    const c = parseCase(base + body);
    expect(() => runOnModel(c)).toThrow(InputError);
    expect(() => runOnModel(c)).toThrow(message);
  });
});
