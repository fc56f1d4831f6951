/**
 * States in object form to canonical bytes and back, by the derived layout
 * (layout.ts), compiled once per instance to straight-line code (traces,
 * refinement and the agreement tests encode and decode millions of states).
 * The inactive variants of a union, and room for subsort non-members, stay
 * zero, so equal states have equal bytes.
 */
import type { ObjectState } from "./interpret.js";
import { type Layout, type VariableLayout, elementOffset } from "./layout.js";
import { type Instance, type Spec, elementsOf } from "./spec.js";
import type { Type } from "./types.js";

export interface Codec {
  encode(state: ObjectState): Uint8Array;
  decode(bytes: Uint8Array): ObjectState;
}

/** Every stored element of a variable: its indexes (by base sort numbering) and its byte offset. */
export function elements(spec: Spec, inst: Instance, v: VariableLayout): { index: number[]; offset: number }[] {
  const decl = spec.variables.find((x) => x.name === v.name)!;
  const out: { index: number[]; offset: number }[] = [];
  const walk = (k: number, index: number[]) => {
    if (k === decl.index.length) out.push({ index, offset: elementOffset(v, index) });
    else for (const e of elementsOf(inst, decl.index[k]!)) walk(k + 1, [...index, e]);
  };
  walk(0, []);
  return out;
}

class CodecWriter {
  private counter = 0;
  constructor(
    private readonly v: VariableLayout,
    /** Module-level constants (arrays built once, not per call). */
    private readonly constants: string[],
  ) {}

  private constant(value: string): string {
    this.constants.push(`const K${this.constants.length} = ${value};`);
    return `K${this.constants.length - 1}`;
  }

  private leaf(path: readonly (string | number)[]) {
    const l = this.v.byPath.get(path.join("."));
    if (l === undefined) throw new Error(`${this.v.name}: no leaf ${path.join(".")}`);
    return l;
  }

  private put(at: string, path: readonly (string | number)[], value: string, lines: string[]): void {
    const l = this.leaf(path);
    if (l.width === 0) return;
    lines.push(`out[${at} + ${l.bit >> 3}] |= (${value}) << ${l.bit & 7};`);
  }

  private get(at: string, path: readonly (string | number)[]): string {
    const l = this.leaf(path);
    return l.width === 0 ? "0" : `((b[${at} + ${l.bit >> 3}] >> ${l.bit & 7}) & ${(1 << l.width) - 1})`;
  }

  encode(t: Type, value: string, at: string, path: (string | number)[], lines: string[]): void {
    switch (t.kind) {
      case "bool":
        return this.put(at, path, `${value} ? 1 : 0`, lines);
      case "enum":
        return this.put(at, path, `${this.constant(JSON.stringify(t.values))}.indexOf(${value})`, lines);
      case "sort":
        return this.put(at, path, value, lines);
      case "option":
        return this.put(at, path, `${value} === null ? 0 : ${value} + 1`, lines);
      case "set": {
        const x = `m${++this.counter}`;
        const bytes = JSON.stringify([...this.v.byPath.values()].filter((l) => l.path.length === path.length + 1 && l.path.slice(0, -1).join(".") === path.join(".")).map((l) => [l.bit >> 3, l.bit & 7]));
        const table = this.constant(bytes);
        lines.push(`for (const ${x} of ${value}) { const p = ${table}[${x}]; out[${at} + p[0]] |= 1 << p[1]; }`);
        return;
      }
      case "record": {
        const x = `r${++this.counter}`;
        lines.push(`const ${x} = ${value};`);
        for (const f of t.fields) this.encode(f.type, `${x}[${JSON.stringify(f.name)}]`, at, [...path, f.name], lines);
        return;
      }
      case "union": {
        const x = `u${++this.counter}`;
        lines.push(`const ${x} = ${value};`);
        lines.push(`switch (${x}[${JSON.stringify(t.tagField)}]) {`);
        t.variants.forEach((variant, i) => {
          lines.push(`case ${JSON.stringify(variant.tag)}: {`);
          this.put(at, [...path, t.tagField], String(i), lines);
          for (const f of variant.fields) this.encode(f.type, `${x}[${JSON.stringify(f.name)}]`, at, [...path, f.name], lines);
          lines.push("break; }");
        });
        lines.push(`default: throw new Error(${JSON.stringify(`${t.name}: unknown tag `)} + String(${x}[${JSON.stringify(t.tagField)}]));`);
        lines.push("}");
        return;
      }
    }
  }

  /** An expression building the value at `at` (union values through an immediately called function). */
  decode(t: Type, at: string, path: (string | number)[]): string {
    switch (t.kind) {
      case "bool":
        return `(${this.get(at, path)} === 1)`;
      case "enum":
        return `${this.constant(JSON.stringify(t.values))}[${this.get(at, path)}]`;
      case "sort":
        return this.get(at, path);
      case "option":
        return `((x) => (x === 0 ? null : x - 1))(${this.get(at, path)})`;
      case "set": {
        const members = [...this.v.byPath.values()].filter((l) => l.path.length === path.length + 1 && l.path.slice(0, -1).join(".") === path.join("."));
        return `[${members.map((l) => `...(${this.get(at, l.path)} === 1 ? [${l.path[l.path.length - 1]}] : [])`).join(", ")}]`;
      }
      case "record":
        return `{ ${t.fields.map((f) => `${JSON.stringify(f.name)}: ${this.decode(f.type, at, [...path, f.name])}`).join(", ")} }`;
      case "union": {
        const cases = t.variants.map(
          (variant, i) =>
            `case ${i}: return { ${[`${JSON.stringify(t.tagField)}: ${JSON.stringify(variant.tag)}`, ...variant.fields.map((f) => `${JSON.stringify(f.name)}: ${this.decode(f.type, at, [...path, f.name])}`)].join(", ")} };`,
        );
        return `(() => { switch (${this.get(at, [...path, t.tagField])}) { ${cases.join(" ")} default: throw new Error(${JSON.stringify(`state: bad ${t.name} tag`)}); } })()`;
      }
    }
  }
}

export function codecFor(spec: Spec, inst: Instance, layout: Layout, initial: ObjectState): Codec {
  const constants: string[] = [];
  const enc: string[] = [`const out = new Uint8Array(${layout.length});`];
  const dec: string[] = [`if (b.length !== ${layout.length}) throw new Error("state: expected ${layout.length} bytes, got " + b.length);`, "const s = {};"];
  let tables = 0;
  const table = (values: readonly number[]) => {
    constants.push(`const E${tables} = [${values.join(",")}];`);
    return `E${tables++}`;
  };
  for (const v of layout.variables) {
    const w = new CodecWriter(v, constants);
    const decl = spec.variables.find((x) => x.name === v.name)!;
    const name = JSON.stringify(v.name);
    if (decl.index.length === 0) {
      enc.push("{", `const at = ${v.offset};`);
      w.encode(v.type, `state[${name}]`, "at", [], enc);
      enc.push("}");
      dec.push(`{ const at = ${v.offset}; s[${name}] = ${w.decode(v.type, "at", [])}; }`);
      continue;
    }
    // One loop per index, over its stored elements (a subsort's members), the element's code written once.
    const members = decl.index.map((sort) => table(elementsOf(inst, sort)));
    const loops = (code: (element: string) => string[], prefix: string): string[] => {
      const out: string[] = [`{ let at = ${v.offset};`];
      const open = (k: number, parent: string): void => {
        out.push(`for (const e${k} of ${members[k]}) { const x${k} = ${parent}[e${k}];`);
        if (k + 1 < decl.index.length) open(k + 1, `x${k}`);
        else out.push(...code(`x${k}`), `at += ${v.stride};`);
        out.push("}");
      };
      open(0, prefix);
      out.push("}");
      return out;
    };
    enc.push(
      ...loops((element) => {
        const lines: string[] = [];
        w.encode(v.type, element, "at", [], lines);
        return lines;
      }, `state[${name}]`),
    );
    // Elements outside a subsort (e.g. the queue of a thread that is no pager) keep their initial value.
    dec.push(`s[${name}] = ${JSON.stringify(initial[v.name])};`);
    const parents = decl.index.map((_, k) => (k === 0 ? `s[${name}]` : `x${k - 1}`));
    const decodeLoops: string[] = [`{ let at = ${v.offset};`];
    const open = (k: number): void => {
      const last = k + 1 === decl.index.length;
      decodeLoops.push(`for (const e${k} of ${members[k]}) {`);
      if (last) decodeLoops.push(`${parents[k]}[e${k}] = ${w.decode(v.type, "at", [])};`, `at += ${v.stride};`);
      else {
        decodeLoops.push(`const x${k} = ${parents[k]}[e${k}];`);
        open(k + 1);
      }
      decodeLoops.push("}");
    };
    open(0);
    decodeLoops.push("}");
    dec.push(...decodeLoops);
  }
  enc.push("return out;");
  dec.push("return s;");
  const source = [...constants, "function encode(state) {", ...enc, "}", "function decode(b) {", ...dec, "}", "return { encode, decode };"].join("\n");
  return new Function(source)() as Codec;
}
