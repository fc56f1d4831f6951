/** The case file (text and multiboot module), the seeded generator, and the kernel-output parser. */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { InputError } from "../../model/input-error.js";
import { formatCase, parseCase, type X86Case } from "../../impl/x86case/format.js";
import { caseArbitrary, generateCase } from "../../impl/x86case/generate.js";
import { MODULE_MAGIC, OPERATION_CODES, toModule } from "../../impl/x86case/module.js";
import { KernelOutputError, formatReport, parseKernelOutput } from "../../impl/x86case/output.js";
import { runOnModel } from "../../impl/x86case/model-run.js";
import { randomSeed } from "../seed.js";

randomSeed(import.meta.url);

const HEADER = "x86-case 1\nwp 1\npse 0\ncr3 0x00400000\n";

function withoutComments(c: X86Case): X86Case {
  const { comments: _comments, ...rest } = c;
  return rest;
}

function inputError(text: string): InputError {
  try {
    parseCase(text, "bad.case");
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error(`no error for:\n${text}`);
}

describe("case text form", () => {
  test("formatCase and parseCase round-trip every generated case", () => {
    fc.assert(
      fc.property(caseArbitrary(40), (c) => {
        expect(withoutComments(parseCase(formatCase(c)))).toEqual(c);
      }),
      { numRuns: 60 },
    );
  });

  test("numbers may be hex or decimal; comments and blank lines are ignored", () => {
    const c = parseCase(`# a comment\n\nx86-case 1\nwp 0\npse 1   # trailing comment\ncr3 4194304\nword 0x400010 16781319\nop wp 1\nop read3 0x1000000\n`);
    expect(c).toMatchObject({ wp: false, pse: true, cr3: 0x400000, image: [[0x400010, 0x1001007]] });
    expect(c.operations).toEqual([{ kind: "wp", on: true }, { kind: "read3", address: 0x1000000 }]);
    expect(c.comments).toEqual(["a comment"]);
  });

  test.each([
    ["", "empty case file"],
    ["x86-case 2\n", "unsupported case format version '2'"],
    ["wp 1\n", "bad.case:1: a case file starts with 'x86-case 1'"],
    ["x86-case 1\npse 0\ncr3 0x00400000\n", "missing 'wp 0|1'"],
    [HEADER + "wp 0\n", "bad.case:5: 'wp' given twice"],
    [HEADER + "op read0 0x01000000\npse 1\n", "bad.case:6: 'pse' sets the initial state and must come before the first 'op'"],
    [HEADER + "word 0x00400010\n", "bad.case:5: expected 'word PHYSICAL VALUE'"],
    [HEADER + "word 0x00400010 0x1\nword 0x00400010 0x2\n", "bad.case:6: word 0x00400010 given twice"],
    [HEADER + "word 0x00400010 0x1ffffffff\n", "value '0x1ffffffff' is not a 32-bit number"],
    [HEADER + "word 0x00400010 4294967296\n", "value '4294967296' does not fit in 32 bits"],
    [HEADER + "word 0x00400010 -1\n", "value '-1' is not a 32-bit number"],
    [HEADER + "op jump 0x01000000\n", "bad.case:5: unknown operation 'jump'"],
    [HEADER + "op wp 2\n", "bad.case:5: wp must be 0 or 1, not '2'"],
    [HEADER + "op write3 0x01000000\n", "bad.case:5: expected 'op write3 LINEAR VALUE'"],
    [HEADER + "frob 1\n", "bad.case:5: unknown keyword 'frob'"],
    ["x86-case 1\nwp 1\npse 0\ncr3 0x00400004\n", "cr3 0x00400004 is not 4 KiB aligned"],
    ["x86-case 1\nwp 1\npse 0\ncr3 0x00100000\n", "cr3 0x00100000 is outside the window"],
    [HEADER + "word 0x00300000 0x1\n", "word 0x00300000 is not an aligned word in the window"],
    [HEADER + "op read0 0x00400000\n", "op 1 (read0): linear 0x00400000 is below 0x01000000, which the test kernel owns"],
    [HEADER + "op write3 0x01000002 0x0\n", "op 1 (write3): linear 0x01000002 is not word aligned"],
    [HEADER + "op poke 0x0040000c 0x0\n", "op 1 (poke): 0x0040000c is one of PDEs 0..3 of a page directory"],
    [HEADER + "op cr3 0x00401000\nop poke 0x00401000 0x0\n", "op 2 (poke): 0x00401000 is one of PDEs 0..3"],
    [HEADER + "op cr3 0x01000000\n", "op 1 (cr3): page directory 0x01000000 is outside the window"],
  ])("bad case %j is refused with one line naming the problem", (text, message) => {
    const error = inputError(text);
    expect(error.kind).toBe("bad-input");
    expect(error.message).toContain(message);
    expect(error.message).not.toContain("\n");
  });
});

describe("seeded generation", () => {
  test("the same seed gives the same case, byte for byte; other seeds give other cases", () => {
    expect(formatCase(generateCase(42, 300))).toBe(formatCase(generateCase(42, 300)));
    expect(formatCase(generateCase(42, 300))).not.toBe(formatCase(generateCase(43, 300)));
    expect(generateCase(42, 300).operations).toHaveLength(300);
  });

  test("generated cases keep the layout rules (the model runs them without a layout error)", () => {
    fc.assert(
      fc.property(caseArbitrary(200), (c) => {
        expect(() => runOnModel(c)).not.toThrow();
      }),
      { numRuns: 30 },
    );
  });

  test("generated cases contain every operation kind, 4-MiB PDEs, markers and both rings", () => {
    const kinds = new Set<string>();
    let large = 0;
    let markers = 0;
    for (let seed = 0; seed < 5; seed++) {
      const c = generateCase(seed, 500);
      for (const op of c.operations) kinds.add(op.kind);
      for (const [, value] of c.image) {
        if ((value & 0x81) === 0x81) large++;
        if ((value & 1) === 0) markers++;
      }
    }
    expect([...kinds].sort()).toEqual(["cr3", "invlpg", "poke", "pse", "read0", "read3", "wp", "write0", "write3"]);
    expect(large).toBeGreaterThan(0);
    expect(markers).toBeGreaterThan(0);
  });
});

describe("multiboot module", () => {
  test("header, image words and operations are little-endian words in the documented order", () => {
    const c = parseCase(HEADER + "word 0x00400010 0x00402007\nop write3 0x01000004 0xdeadbeef\nop pse 1\n");
    const module = toModule(c);
    const view = new DataView(module.buffer);
    const words = Array.from({ length: module.length / 4 }, (_, i) => view.getUint32(i * 4, true));
    expect(words).toEqual([
      MODULE_MAGIC, 1, 0b01, 0x00400000, 1, 2,
      0x00400010, 0x00402007,
      OPERATION_CODES.write3, 0x01000004, 0xdeadbeef,
      OPERATION_CODES.pse, 1, 0,
    ]);
  });
});

describe("kernel output", () => {
  const c = parseCase(HEADER + "word 0x00400010 0x00402007\nop read0 0x01000000\nop write3 0x01000000 0x2\n");

  test("the model's lines read back as the same report (what QEMU prints parses the same way)", () => {
    const report = runOnModel(c).report;
    const text = ["SeaBIOS noise that is not ours", ...formatReport(c, report)].join("\r\n");
    expect(parseKernelOutput(c, text)).toEqual(report);
  });

  test.each([
    ["op 1 read0 0x01000000 -> #PF cr2=0x01000000 err=0x00000000\n", "ends after 1 of 2 operations without an end line"],
    ["op 1 read0 0x01000000 -> 0x12\n", "unexpected kernel line for op 1"],
    ["op 1 read0 0x01000004 -> 0x00000000\n", "unexpected kernel line for op 1"],
    ["\nerror unexpected exception vector=0x0000000d at op 2\n", "the test kernel stopped: error unexpected exception"],
    ["op 1 read0 0x01000000 -> ok\nop 2 write3 0x01000000 0x00000002 -> ok\nmem 0x1 2 -> 3\nend ops=2 changed=1\n", "garbled kernel line"],
    ["op 1 read0 0x01000000 -> ok\nop 2 write3 0x01000000 0x00000002 -> ok\nend ops=2 changed=1\n", "does not match the 2 op and 0 mem lines"],
  ])("broken kernel output %j is a KernelOutputError", (text, message) => {
    expect(() => parseKernelOutput(c, text)).toThrow(KernelOutputError);
    expect(() => parseKernelOutput(c, text)).toThrow(message);
  });
});
