/**
 * The canonical byte layout of a state, derived from the variables' types for
 * one instance: every scalar ("leaf") gets the fewest bits its domain needs,
 * packed first-fit into the bytes of its variable's element without crossing
 * a byte boundary; the variants of a union overlap (the fields of the
 * inactive ones are zero), and a field that several variants share keeps one
 * place. Two states are equal exactly when their encodings are.
 *
 * The codec (objects <-> bytes), the compiled fast path and the symmetry
 * reduction all read this one layout.
 */
import type { Instance } from "./spec.js";
import { type Spec, rangeOf } from "./spec.js";
import type { Field, Sort, Type } from "./types.js";

/** What a leaf holds, and how its value is written as a small integer. */
export type LeafKind =
  | { readonly kind: "bool" }
  | { readonly kind: "enum"; readonly values: readonly string[] }
  /** A sort element e, stored as e. */
  | { readonly kind: "sort"; readonly sort: Sort }
  /** none stored as 0, some(e) as e + 1. */
  | { readonly kind: "option"; readonly sort: Sort }
  /** One element of a set: 1 when it is a member. */
  | { readonly kind: "member"; readonly element: number }
  /** A union's tag: the variant's index. */
  | { readonly kind: "tag"; readonly tags: readonly (string | boolean)[] };

export interface Leaf {
  /** Field names from the element's root (a set element's leaf ends with its element number; a tag leaf with the tag field). */
  readonly path: readonly (string | number)[];
  /** First bit within the element (bit 0 is the low bit of the element's first byte). */
  readonly bit: number;
  readonly width: number;
  readonly leaf: LeafKind;
}

export interface VariableLayout {
  readonly name: string;
  /** Byte offset of element 0. */
  readonly offset: number;
  /** Bytes per element. */
  readonly stride: number;
  /** Elements along each index (a subsort index is numbered by its parent, but only members have room). */
  readonly dims: readonly number[];
  /** slots[k][e]: the position of element e of index k among the stored ones (-1: not a member of the subsort). */
  readonly slots: readonly (readonly number[])[];
  readonly leaves: readonly Leaf[];
  /** Leaves by their path joined with ".". */
  readonly byPath: ReadonlyMap<string, Leaf>;
  readonly type: Type;
}

export interface Layout {
  readonly length: number;
  readonly variables: readonly VariableLayout[];
  readonly byName: ReadonlyMap<string, VariableLayout>;
}

export const bitsFor = (values: number): number => (values <= 1 ? 0 : Math.ceil(Math.log2(values)));

/** First bit position p with [p, p + width) free and inside one byte. */
function firstFit(taken: Set<number>, width: number): number {
  if (width === 0) return 0;
  for (let p = 0; ; p++) {
    if (p >> 3 !== (p + width - 1) >> 3) continue;
    let free = true;
    for (let b = p; b < p + width && free; b++) if (taken.has(b)) free = false;
    if (free) return p;
  }
}

function place(taken: Set<number>, width: number): number {
  const at = firstFit(taken, width);
  for (let b = at; b < at + width; b++) taken.add(b);
  return at;
}

/**
 * Lays out a value of `type` into `leaves`, taking bits from `taken`. Shared
 * union fields: `shared` maps a path prefix + field name to its earlier
 * leaves, reused by the next variant.
 */
function layoutType(inst: Instance, type: Type, path: readonly (string | number)[], taken: Set<number>, leaves: Leaf[]): void {
  const add = (leaf: LeafKind, width: number, p = path): void => {
    leaves.push({ path: p, bit: place(taken, width), width, leaf });
  };
  switch (type.kind) {
    case "bool":
      return add({ kind: "bool" }, 1);
    case "enum":
      return add({ kind: "enum", values: type.values }, bitsFor(type.values.length));
    case "sort":
      return add({ kind: "sort", sort: type }, bitsFor(rangeOf(inst, type)));
    case "option":
      return add({ kind: "option", sort: type.of }, bitsFor(rangeOf(inst, type.of) + 1));
    case "set":
      for (let e = 0; e < rangeOf(inst, type.of); e++) add({ kind: "member", element: e }, 1, [...path, e]);
      return;
    case "record":
      for (const f of type.fields) layoutType(inst, f.type, [...path, f.name], taken, leaves);
      return;
    case "union": {
      add({ kind: "tag", tags: type.variants.map((v) => v.tag) }, bitsFor(type.variants.length), [...path, type.tagField]);
      const common = new Set(taken);
      const placed = new Map<string, Leaf[]>();
      const all = new Set(taken);
      for (const v of type.variants) {
        const mine = new Set(common);
        const fresh: Field[] = [];
        for (const f of v.fields) {
          const earlier = placed.get(f.name);
          if (earlier === undefined) fresh.push(f);
          else for (const l of earlier) for (let b = l.bit; b < l.bit + l.width; b++) mine.add(b);
        }
        for (const f of fresh) {
          const mark = leaves.length;
          layoutType(inst, f.type, [...path, f.name], mine, leaves);
          placed.set(f.name, leaves.slice(mark));
        }
        for (const b of mine) all.add(b);
      }
      for (const b of all) taken.add(b);
      return;
    }
  }
}

export function layoutOf(spec: Spec, inst: Instance): Layout {
  let offset = 0;
  const variables = spec.variables.map((v): VariableLayout => {
    const leaves: Leaf[] = [];
    const taken = new Set<number>();
    layoutType(inst, v.type, [], taken, leaves);
    const bits = leaves.reduce((end, l) => Math.max(end, l.bit + l.width), 0);
    const stride = Math.ceil(bits / 8);
    const dims = v.index.map((s) => rangeOf(inst, s));
    const slots = v.index.map((s) => {
      if (s.parent === undefined) return Array.from({ length: rangeOf(inst, s) }, (_, i) => i);
      const members = inst.members[s.name]!;
      return Array.from({ length: rangeOf(inst, s) }, (_, e) => members.indexOf(e));
    });
    const stored = slots.reduce((n, s) => n * s.filter((x) => x >= 0).length, 1);
    const layout: VariableLayout = {
      name: v.name,
      offset,
      stride,
      dims,
      slots,
      leaves,
      byPath: new Map(leaves.map((l) => [l.path.join("."), l])),
      type: v.type,
    };
    offset += stride * stored;
    return layout;
  });
  return { length: offset, variables, byName: new Map(variables.map((v) => [v.name, v])) };
}

/** The byte offset of an element of a variable, from its indexes (each numbered by its base sort). */
export function elementOffset(v: VariableLayout, index: readonly number[]): number {
  let flat = 0;
  for (let k = 0; k < index.length; k++) {
    const slot = v.slots[k]![index[k]!]!;
    if (slot < 0) throw new Error(`${v.name}: ${index[k]} is not an element of index ${k}`);
    flat = flat * v.slots[k]!.filter((x) => x >= 0).length + slot;
  }
  return v.offset + flat * v.stride;
}
