/**
 * Advance widths read from a TrueType font file (the OpenType tables head,
 * hhea, hmtx and a format-4 cmap), for checking trace/text-metrics.ts
 * against the installed DejaVu Sans.
 */
import { readFileSync } from "node:fs";

export interface FontWidths {
  readonly unitsPerEm: number;
  readonly widths: readonly number[];
}

export function advanceWidths(path: string, characters: readonly string[]): FontWidths {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tables = new Map<string, number>();
  for (let i = 0; i < view.getUint16(4); i++) {
    const record = 12 + 16 * i;
    tables.set(bytes.subarray(record, record + 4).toString("latin1"), view.getUint32(record + 8));
  }
  const table = (tag: string): number => {
    const offset = tables.get(tag);
    if (offset === undefined) throw new Error(`${path}: no ${tag} table`);
    return offset;
  };
  const unitsPerEm = view.getUint16(table("head") + 18);
  const metrics = view.getUint16(table("hhea") + 34);
  const cmap = table("cmap");
  let subtable = -1;
  for (let i = 0; i < view.getUint16(cmap + 2); i++) {
    const platform = view.getUint16(cmap + 4 + 8 * i);
    const encoding = view.getUint16(cmap + 6 + 8 * i);
    const offset = cmap + view.getUint32(cmap + 8 + 8 * i);
    if (platform === 3 && encoding === 1 && view.getUint16(offset) === 4) subtable = offset;
  }
  if (subtable < 0) throw new Error(`${path}: no Unicode BMP cmap`);
  const segments = view.getUint16(subtable + 6) / 2;
  const ends = subtable + 14;
  const starts = ends + 2 * segments + 2;
  const deltas = starts + 2 * segments;
  const ranges = deltas + 2 * segments;
  const glyph = (code: number): number => {
    for (let s = 0; s < segments; s++) {
      if (code > view.getUint16(ends + 2 * s)) continue;
      const start = view.getUint16(starts + 2 * s);
      if (code < start) return 0;
      const delta = view.getInt16(deltas + 2 * s);
      const range = view.getUint16(ranges + 2 * s);
      if (range === 0) return (code + delta) & 0xffff;
      const id = view.getUint16(ranges + 2 * s + range + 2 * (code - start));
      return id === 0 ? 0 : (id + delta) & 0xffff;
    }
    return 0;
  };
  const hmtx = table("hmtx");
  const width = (id: number) => view.getUint16(hmtx + 4 * Math.min(id, metrics - 1));
  return { unitsPerEm, widths: characters.map((c) => width(glyph(c.codePointAt(0)!))) };
}
