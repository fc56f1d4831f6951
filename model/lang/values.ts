/**
 * Values in object form (what the interpreter computes and a state holds):
 * enumeration of a finite type, structural equality, and persistent
 * (copy-on-write) update of a state at a location.
 */
import { type Instance, type Value, elementsOf } from "./spec.js";
import type { Type } from "./types.js";

/** Every value of a finite type, in the language's order. */
export function enumerate(inst: Instance, t: Type): Value[] {
  switch (t.kind) {
    case "bool":
      return [false, true];
    case "enum":
      return [...t.values];
    case "sort":
      return [...elementsOf(inst, t)];
    case "option":
      return [null, ...elementsOf(inst, t.of)];
    case "record":
      return product(inst, t.fields).map((fields) => fields);
    case "union":
      return t.variants.flatMap((v) => product(inst, v.fields).map((fields) => ({ [t.tagField]: v.tag, ...fields })));
    case "set":
      throw new Error("a set-typed parameter is not enumerated");
  }
}

function product(inst: Instance, fields: readonly { name: string; type: Type }[]): Record<string, Value>[] {
  let rows: Record<string, Value>[] = [{}];
  for (const f of fields) {
    const values = enumerate(inst, f.type);
    rows = rows.flatMap((row) => values.map((v) => ({ ...row, [f.name]: v })));
  }
  return rows;
}

/**
 * The zero value of a type: what the layout stores where a value is absent
 * (a field of an inactive variant reads as this in every back end).
 */
export function zeroValue(t: Type): Value {
  switch (t.kind) {
    case "bool":
      return false;
    case "enum":
      return t.values[0]!;
    case "sort":
      return 0;
    case "option":
      return null;
    case "set":
      return [];
    case "record":
      return Object.fromEntries(t.fields.map((f) => [f.name, zeroValue(f.type)]));
    case "union": {
      const v = t.variants[0]!;
      return { [t.tagField]: v.tag, ...Object.fromEntries(v.fields.map((f) => [f.name, zeroValue(f.type)])) };
    }
  }
}

export function equal(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a)) {
    const bb = b as readonly Value[];
    return Array.isArray(b) && a.length === bb.length && a.every((x, i) => equal(x, bb[i]!));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const ra = a as Record<string, Value>;
  const rb = b as Record<string, Value>;
  return ka.length === kb.length && ka.every((k) => k in rb && equal(ra[k]!, rb[k]!));
}

/** A copy of `root` with the value at `path` (array indexes and field names) replaced; untouched parts are shared. */
export function updated(root: unknown, path: readonly (number | string)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(root)) {
    const copy = root.slice();
    copy[head as number] = updated(root[head as number], rest, value);
    return copy;
  }
  const obj = root as Record<string, unknown>;
  return { ...obj, [head as string]: updated(obj[head as string], rest, value) };
}

export function valueAt(root: unknown, path: readonly (number | string)[]): unknown {
  let here = root;
  for (const step of path) here = (here as Record<string | number, unknown>)[step];
  return here;
}
