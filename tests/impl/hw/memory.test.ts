import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { randomSeed } from "../../seed.js";
import { ABSENT_WORD, PhysicalMemory } from "../../../impl/hw/memory.js";

randomSeed(import.meta.url);

const wordAddress = fc.nat({ max: 2 ** 30 - 1 }).map((index) => index * 4);
const word = fc.nat({ max: 2 ** 32 - 1 });
const writes = fc.array(fc.tuple(wordAddress, word), { maxLength: 40 });

describe("PhysicalMemory", () => {
  it("reads zero where nothing was written, and what was written elsewhere", () => {
    const memory = new PhysicalMemory();
    expect(memory.read32(0xfffffffc)).toBe(0);
    memory.write32(0xfffffffc, 0xdeadbeef);
    memory.write32(0x1000, -1);
    expect(memory.read32(0xfffffffc)).toBe(0xdeadbeef);
    expect(memory.read32(0x1000)).toBe(0xffffffff);
    expect(memory.read32(0x1004)).toBe(0);
    expect(memory.nonZeroFrames()).toEqual([0x1000, 0xfffff000]);
  });

  it("refuses misaligned or out-of-range addresses and values", () => {
    const memory = new PhysicalMemory();
    expect(() => memory.read32(2)).toThrow(RangeError);
    expect(() => memory.read32(2 ** 32)).toThrow(RangeError);
    expect(() => memory.write32(0, 2 ** 32)).toThrow(RangeError);
    expect(() => memory.zeroFrame(0x1004)).toThrow(RangeError);
  });

  it("the bus reaches 2^40 (PSE-36): RAM below 4 GiB, no memory above (reads ABSENT_WORD, writes dropped)", () => {
    const memory = new PhysicalMemory();
    memory.busWrite32(0x1000, 5);
    expect(memory.read32(0x1000)).toBe(5);
    expect(memory.busRead32(0x1000)).toBe(5);
    memory.busWrite32(2 ** 32 + 0x1000, 9);
    expect(memory.busRead32(2 ** 32 + 0x1000)).toBe(ABSENT_WORD);
    expect(memory.read32(0x1000)).toBe(5); // not folded onto the alias below 4 GiB
    expect(memory.nonZeroWords()).toEqual([[0x1000, 5]]);
    expect(memory.busRead32(2 ** 40 - 4)).toBe(ABSENT_WORD);
    expect(() => memory.busRead32(2 ** 40)).toThrow(RangeError);
    expect(() => memory.busWrite32(2 ** 32 + 2, 0)).toThrow(RangeError);
    expect(() => memory.busWrite32(2 ** 32, 2 ** 32)).toThrow(RangeError);
  });

  it("zeroFrame clears a frame; copyFrom copies one, also across memories", () => {
    const memory = new PhysicalMemory();
    memory.write32(0x2008, 7);
    const other = new PhysicalMemory();
    other.copyFrom(0x5000, 0x2000, memory);
    memory.copyFrom(0x3000, 0x2000);
    memory.zeroFrame(0x2000);
    expect(memory.read32(0x2008)).toBe(0);
    expect(memory.read32(0x3008)).toBe(7);
    expect(other.read32(0x5008)).toBe(7);
    memory.write32(0x3008, 8);
    expect(other.read32(0x5008)).toBe(7);
  });

  it("setBits32 ORs flags into a word", () => {
    const memory = new PhysicalMemory();
    memory.write32(0x10, 0x80000001);
    expect(memory.setBits32(0x10, 0x60)).toBe(0x80000061);
    expect(memory.read32(0x10)).toBe(0x80000061);
  });

  it("encode/decode round-trips any contents", () => {
    fc.assert(
      fc.property(writes, (ws) => {
        const memory = new PhysicalMemory();
        for (const [address, value] of ws) memory.write32(address, value);
        const decoded = PhysicalMemory.decode(memory.encode());
        for (const [address] of ws) expect(decoded.read32(address)).toBe(memory.read32(address));
        expect(decoded.encode()).toEqual(memory.encode());
        expect(decoded.equals(memory)).toBe(true);
      }),
    );
  });

  it("encoding is canonical: same contents, same bytes, whatever the write order or zero writes", () => {
    fc.assert(
      fc.property(writes, fc.array(wordAddress, { maxLength: 10 }), (ws, zeroed) => {
        const forward = new PhysicalMemory();
        const backward = new PhysicalMemory();
        for (const [address, value] of ws) forward.write32(address, value);
        // Apply in reverse order but keep last-writer-wins semantics per address.
        const last = new Map(ws);
        for (const [address, value] of [...last].reverse()) backward.write32(address, value);
        for (const address of zeroed) {
          forward.write32(address, 0);
          backward.write32(address, 0);
        }
        expect(backward.encode()).toEqual(forward.encode());
      }),
    );
  });

  it("decode rejects non-canonical bytes", () => {
    expect(() => PhysicalMemory.decode(new Uint8Array(3))).toThrow(RangeError);
    const zeroValue = new Uint8Array(8); // index 0, value 0
    expect(() => PhysicalMemory.decode(zeroValue)).toThrow(RangeError);
    const memory = new PhysicalMemory();
    memory.write32(4, 1);
    memory.write32(0, 1);
    const bytes = memory.encode();
    const swapped = new Uint8Array([...bytes.slice(8), ...bytes.slice(0, 8)]);
    expect(() => PhysicalMemory.decode(swapped)).toThrow(RangeError);
  });

  it("clone is independent", () => {
    const memory = new PhysicalMemory();
    memory.write32(0, 1);
    const copy = memory.clone();
    copy.write32(0, 2);
    expect(memory.read32(0)).toBe(1);
    expect(copy.read32(0)).toBe(2);
  });
});
