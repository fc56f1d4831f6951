/**
 * A value's leaves: the scalars a record, union or set is made of, named by
 * their path (the layout, the compiled fast path and the Promela model all
 * store and compare values leaf by leaf).
 */
import { type Instance, type Value, rangeOf } from "./spec.js";
import type { Type } from "./types.js";

/** The relative leaf paths of a value of `type` (a union's tag and every field of every variant, once). */
export function leafPaths(inst: Instance, type: Type, prefix = ""): string[] {
  const join = (name: string | number) => (prefix === "" ? String(name) : `${prefix}.${name}`);
  switch (type.kind) {
    case "bool":
    case "enum":
    case "sort":
    case "option":
      return [prefix];
    case "set":
      return Array.from({ length: rangeOf(inst, type.of) }, (_, e) => join(e));
    case "record":
      return type.fields.flatMap((f) => leafPaths(inst, f.type, join(f.name)));
    case "union": {
      const seen = new Set<string>();
      const out = [join(type.tagField)];
      for (const v of type.variants)
        for (const f of v.fields) {
          if (seen.has(f.name)) continue;
          seen.add(f.name);
          out.push(...leafPaths(inst, f.type, join(f.name)));
        }
      return out;
    }
  }
}

/** The stored integers of an object-form value, by relative leaf path (inactive variant fields absent: 0). */
export function storedLeaves(type: Type, value: Value, prefix = "", into = new Map<string, number>()): Map<string, number> {
  const join = (name: string | number) => (prefix === "" ? String(name) : `${prefix}.${name}`);
  switch (type.kind) {
    case "bool":
      into.set(prefix, value ? 1 : 0);
      break;
    case "enum":
      into.set(prefix, type.values.indexOf(value as string));
      break;
    case "sort":
      into.set(prefix, value as number);
      break;
    case "option":
      into.set(prefix, value === null ? 0 : (value as number) + 1);
      break;
    case "set":
      for (const e of value as number[]) into.set(join(e), 1);
      break;
    case "record":
      for (const f of type.fields) storedLeaves(f.type, (value as Record<string, Value>)[f.name]!, join(f.name), into);
      break;
    case "union": {
      const obj = value as Record<string, Value>;
      const index = type.variants.findIndex((v) => v.tag === obj[type.tagField]);
      into.set(join(type.tagField), index);
      for (const f of type.variants[index]!.fields) storedLeaves(f.type, obj[f.name]!, join(f.name), into);
      break;
    }
  }
  return into;
}

export const isScalar = (t: Type): boolean => t.kind === "bool" || t.kind === "enum" || t.kind === "sort" || t.kind === "option";

export function fieldType(t: Type, name: string): Type {
  if (t.kind === "record") return t.fields.find((f) => f.name === name)!.type;
  if (t.kind === "union") for (const v of t.variants) for (const f of v.fields) if (f.name === name) return f.type;
  throw new Error(`no field ${name}`);
}

export const ident = (name: string): string => name.replace(/[^A-Za-z0-9_]/g, "_");

