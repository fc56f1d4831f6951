/**
 * The checker's fast path, derived: a spec's actions and invariants compiled
 * to JavaScript over the canonical bytes of layout.ts, for one instance (its
 * sizes and rigid facts become constants), then loaded with `new Function`.
 * It is the same transition relation as the interpreter's, written for
 * speed: no state objects, every guard conjunct tested as soon as the
 * parameters it mentions are chosen, each quantifier a small function.
 * tests/model/lang holds it to the interpreter on whole state spaces.
 *
 * Values in generated code: a boolean is a JS boolean; an enum value, a sort
 * element or an option is its stored integer (enum index; element; 0 for
 * none, element + 1 for some); a record, union or set is a set of leaf
 * integers, one per leaf of the layout.
 */
import { type Expr, type Node, type Stmt, namesIn } from "./ast.js";
import { type Layout, type Leaf, type VariableLayout } from "./layout.js";
import { type Action, type Instance, type Spec, rangeOf } from "./spec.js";
import { enumerate } from "./values.js";
import { fieldType, ident, isScalar, leafPaths, storedLeaves } from "./leaves.js";
import { type Type, rootSort } from "./types.js";
import type { Value } from "./spec.js";

export interface FastPath {
  /** Emits the successors after the first `skip` (those are only counted); stops when emit returns false; returns the count. */
  readonly expand: (state: Uint8Array, emit: (action: number, successor: Uint8Array) => boolean | void, skip?: number) => number;
  readonly brokenInvariant: (state: Uint8Array) => number;
  /** The generated source, for reading and for tests. */
  readonly source: string;
}

/** A compiled value: a scalar's JS expression, or a composite's leaf expressions by relative path. */
type CVal =
  | { readonly kind: "scalar"; readonly type: Type; readonly js: string }
  | { readonly kind: "composite"; readonly type: Type; readonly comp: (rel: string) => string; readonly loc?: Loc };

/** A place in a buffer: a variable's element (its byte offset as JS) and a path of fields inside it. */
interface Loc {
  readonly buf: string;
  readonly v: VariableLayout;
  readonly offset: string;
  readonly prefix: readonly string[];
}

interface Scope {
  readonly buf: string;
  /** Parameters and bound variables in scope. */
  readonly names: ReadonlyMap<string, CVal>;
}

class Compiler {
  private readonly constants: string[] = [];
  private readonly helpers: string[] = [];
  private readonly tables = new Map<string, string>();
  private counter = 0;

  constructor(
    private readonly spec: Spec,
    private readonly inst: Instance,
    private readonly layout: Layout,
  ) {}

  /** A module-level constant holding `values` (deduplicated by content). */
  private table(values: readonly number[]): string {
    const key = values.join(",");
    const found = this.tables.get(key);
    if (found) return found;
    const name = `T${this.tables.size}`;
    this.constants.push(`const ${name} = new Int32Array([${key}]);`);
    this.tables.set(key, name);
    return name;
  }

  private fresh(hint: string): string {
    return `${ident(hint)}_${++this.counter}`;
  }

  // --- locations ----------------------------------------------------------------

  private location(e: Expr, scope: Scope): Loc {
    const n = e.node;
    if (n.op === "field") {
      const inner = this.location(n.of, scope);
      return { ...inner, prefix: [...inner.prefix, n.name] };
    }
    if (n.op !== "read") throw new Error(`not a location: ${n.op}`);
    const v = this.layout.byName.get(n.variable)!;
    const decl = this.spec.variables.find((x) => x.name === n.variable)!;
    let flat = "0";
    let constant: number | null = 0;
    decl.index.forEach((sort, k) => {
      const stored = v.slots[k]!.filter((x) => x >= 0).length;
      const index = this.scalar(this.expr(n.index[k]!, scope));
      const slotJs = sort.parent === undefined ? index : `${this.table(v.slots[k]!.map((x) => Math.max(x, 0)))}[${index}]`;
      const literal = /^\d+$/.test(index) ? Number(index) : null;
      const slotConst = literal === null ? null : sort.parent === undefined ? literal : Math.max(v.slots[k]![literal]!, 0);
      if (constant !== null && slotConst !== null) constant = constant * stored + slotConst;
      else constant = null;
      flat = k === 0 ? slotJs : `(${flat}) * ${stored} + ${slotJs}`;
    });
    const offset = constant !== null ? String(v.offset + constant * v.stride) : `${v.offset} + (${flat}) * ${v.stride}`;
    return { buf: scope.buf, v, offset, prefix: [] };
  }

  private leaf(loc: Loc, rel: string): Leaf | null {
    const path = [...loc.prefix, ...(rel === "" ? [] : rel.split("."))].join(".");
    const l = loc.v.byPath.get(path);
    if (l === undefined) throw new Error(`${loc.v.name}: no leaf ${path}`);
    return l.width === 0 ? null : l;
  }

  private byteAt(loc: Loc, byte: number): string {
    return /^\d+$/.test(loc.offset) ? String(Number(loc.offset) + byte) : `${loc.offset} + ${byte}`;
  }

  private readLeaf(loc: Loc, rel: string): string {
    const l = this.leaf(loc, rel);
    if (l === null) return "0";
    const shift = l.bit & 7;
    const byte = `${loc.buf}[${this.byteAt(loc, l.bit >> 3)}]`;
    const shifted = shift === 0 ? byte : `(${byte} >> ${shift})`;
    return l.width === 8 ? shifted : `(${shifted} & ${(1 << l.width) - 1})`;
  }

  /**
   * A composite read from a location. A leaf of an inactive variant reads as
   * 0 (its type's zero value, as in the interpreter), not as the bits another
   * variant keeps in the same place.
   */
  private composite(type: Type, loc: Loc): CVal {
    return { kind: "composite", type, comp: (rel) => this.guardedRead(loc, type, rel), loc };
  }

  private guardedRead(loc: Loc, type: Type, rel: string): string {
    const conditions: string[] = [];
    const segments = rel === "" ? [] : rel.split(".");
    let t = type;
    let path: string[] = [];
    for (const segment of segments) {
      if (t.kind === "union" && segment === t.tagField) break;
      if (t.kind === "union") {
        const holders = t.variants.flatMap((v, i) => (v.fields.some((f) => f.name === segment) ? [i] : []));
        if (holders.length < t.variants.length) {
          const tag = this.readLeaf(loc, [...path, t.tagField].join("."));
          conditions.push(holders.length === 1 ? `${tag} === ${holders[0]}` : `(${holders.map((h) => `${tag} === ${h}`).join(" || ")})`);
        }
        t = fieldType(t, segment);
      } else if (t.kind === "record") t = fieldType(t, segment);
      else break;
      path = [...path, segment];
    }
    const read = this.readLeaf(loc, rel);
    return conditions.length === 0 || read === "0" ? read : `(${conditions.join(" && ")} ? ${read} : 0)`;
  }

  /** A scalar read from its stored integer. */
  private fromStored(type: Type, js: string): CVal {
    return { kind: "scalar", type, js: type.kind === "bool" ? `(${js} === 1)` : js };
  }

  /** The stored integer of a scalar. */
  private stored(v: CVal): string {
    if (v.kind !== "scalar") throw new Error("stored of a composite");
    return v.type.kind === "bool" ? `(${v.js} ? 1 : 0)` : v.js;
  }

  private scalar(v: CVal): string {
    if (v.kind !== "scalar") throw new Error("a composite where a scalar is expected");
    return v.js;
  }

  /** A composite's leaf (or a scalar's only leaf) as a stored integer. */
  private component(v: CVal, rel: string): string {
    return v.kind === "scalar" ? this.stored(v) : v.comp(rel);
  }

  // --- expressions --------------------------------------------------------------

  expr(e: Expr, scope: Scope): CVal {
    const n = e.node;
    const scalar = (js: string): CVal => ({ kind: "scalar", type: e.type, js });
    switch (n.op) {
      case "lit":
        if (typeof n.value === "boolean") return scalar(String(n.value));
        if (n.value === null) return scalar("0");
        if (typeof n.value === "string") return scalar(String((e.type as { values: readonly string[] }).values.indexOf(n.value)));
        return scalar(String(n.value));
      case "param":
      case "bound": {
        const v = scope.names.get(n.name);
        if (v === undefined) throw new Error(`unbound ${n.name}`);
        return v;
      }
      case "rigid":
        return this.rigid(n, e.type, scope);
      case "inSort": {
        const members = new Set(this.inst.members[n.sort.name]!);
        const t = this.table(Array.from({ length: rangeOf(this.inst, n.sort) }, (_, i) => (members.has(i) ? 1 : 0)));
        return scalar(`(${t}[${this.scalar(this.expr(n.arg, scope))}] === 1)`);
      }
      case "read": {
        const loc = this.location(e, scope);
        return isScalar(e.type) ? this.fromStored(e.type, this.readLeaf(loc, "")) : this.composite(e.type, loc);
      }
      case "field": {
        const of = this.expr(n.of, scope);
        if (of.kind !== "composite") throw new Error("field of a scalar");
        if (isScalar(e.type)) return this.fromStored(e.type, of.comp(n.name));
        const loc = of.loc === undefined ? undefined : { ...of.loc, prefix: [...of.loc.prefix, n.name] };
        return { kind: "composite", type: e.type, comp: (rel) => of.comp(rel === "" ? n.name : `${n.name}.${rel}`), ...(loc ? { loc } : {}) };
      }
      case "isTag": {
        const of = this.expr(n.of, scope);
        const t = n.of.type;
        if (t.kind !== "union" || of.kind !== "composite") throw new Error("isTag of a non-union");
        return scalar(`(${of.comp(t.tagField)} === ${t.variants.findIndex((v) => v.tag === n.tag)})`);
      }
      case "make": {
        const t = e.type;
        const fields = new Map(Object.entries(n.fields).map(([k, x]) => [k, this.expr(x, scope)]));
        return {
          kind: "composite",
          type: t,
          comp: (rel) => {
            const [head, ...rest] = rel.split(".");
            if (t.kind === "union" && head === t.tagField && rest.length === 0) return String(t.variants.findIndex((v) => v.tag === n.tag));
            const f = fields.get(head!);
            if (f === undefined) return "0";
            return this.component(f, rest.join("."));
          },
        };
      }
      case "some":
        return scalar(`(${this.scalar(this.expr(n.of, scope))} + 1)`);
      case "value":
        return scalar(`(${this.scalar(this.expr(n.of, scope))} - 1)`);
      case "eq": {
        const a = this.expr(n.a, scope);
        const b = this.expr(n.b, scope);
        if (a.kind === "scalar" && b.kind === "scalar") return scalar(`(${a.js} === ${b.js})`);
        const rels = leafPaths(this.inst, n.a.type);
        return scalar(`(${rels.map((r) => `${this.component(a, r)} === ${this.component(b, r)}`).join(" && ") || "true"})`);
      }
      case "not":
        return scalar(`!${this.scalar(this.expr(n.a, scope))}`);
      case "and":
      case "or": {
        const parts = n.args.map((a) => this.scalar(this.expr(a, scope)));
        return scalar(`(${parts.join(n.op === "and" ? " && " : " || ")})`);
      }
      case "ite": {
        const c = this.scalar(this.expr(n.c, scope));
        const a = this.expr(n.a, scope);
        const b = this.expr(n.b, scope);
        if (a.kind === "scalar" && b.kind === "scalar") return scalar(`(${c} ? ${a.js} : ${b.js})`);
        return { kind: "composite", type: e.type, comp: (rel) => `(${c} ? ${this.component(a, rel)} : ${this.component(b, rel)})` };
      }
      case "emptySet":
        return { kind: "composite", type: e.type, comp: () => "0" };
      case "member": {
        const set = this.expr(n.set, scope);
        const elem = this.scalar(this.expr(n.elem, scope));
        if (set.kind !== "composite") throw new Error("member of a scalar");
        if (/^\d+$/.test(elem) || set.loc === undefined) return scalar(`(${set.comp(elem)} === 1)`);
        const { byte, shift } = this.memberTables(set.loc, (n.set.type as { of: { name: string; parent?: string } }).of);
        return scalar(`(((${set.loc.buf}[${set.loc.offset} + ${byte}[${elem}]] >> ${shift}[${elem}]) & 1) === 1)`);
      }
      case "quant":
        return scalar(this.helperCall(e, scope, (inner, call) => this.quantifierBody(n, inner, call)));
      case "wrap":
        return scalar(`(${this.scalar(this.expr(n.arg, scope))} % ${this.inst.sizes[rootSort(n.sort)]!})`);
      case "reach":
        return scalar(this.helperCall(e, scope, (inner) => this.reachBody(n, inner)));
    }
  }

  private rigid(n: Extract<Node, { op: "rigid" }>, type: Type, scope: Scope): CVal {
    const decl = this.spec.rigids.find((r) => r.name === n.fn)!;
    const fn = this.inst.rigids[n.fn]!;
    const storedOf = (x: ReturnType<typeof fn>): number =>
      type.kind === "bool" ? (x ? 1 : 0) : type.kind === "option" ? (x === null ? 0 : (x as number) + 1) : type.kind === "enum" ? type.values.indexOf(x as string) : (x as number);
    if (decl.args.length === 0) return this.fromStored(type, String(storedOf(fn())));
    if (decl.args.length > 1) throw new Error(`${n.fn}: rigid facts of more than one argument are not compiled`);
    const t = this.table(Array.from({ length: rangeOf(this.inst, decl.args[0]!) }, (_, i) => storedOf(fn(i))));
    return this.fromStored(type, `${t}[${this.scalar(this.expr(n.args[0]!, scope))}]`);
  }

  private memberTables(loc: Loc, of: { name: string; parent?: string }): { byte: string; shift: string } {
    const n = this.inst.sizes[of.parent ?? of.name]!;
    const leaves = Array.from({ length: n }, (_, e) => loc.v.byPath.get([...loc.prefix, e].join("."))!);
    return { byte: this.table(leaves.map((l) => l.bit >> 3)), shift: this.table(leaves.map((l) => l.bit & 7)) };
  }

  /**
   * A helper function for a quantifier or a chain walk: its arguments are
   * the buffer and every name in scope the expression mentions.
   */
  private helperCall(e: Expr, scope: Scope, body: (inner: Scope, name: string) => string[]): string {
    const used = namesIn(e);
    const args: string[] = [];
    const callArgs: string[] = [scope.buf];
    const names = new Map<string, CVal>();
    for (const [name, v] of scope.names) {
      if (!used.has(name)) continue;
      if (v.kind === "scalar") {
        const a = ident(name);
        args.push(a);
        callArgs.push(v.js);
        names.set(name, { kind: "scalar", type: v.type, js: a });
      } else {
        const rels = leafPaths(this.inst, v.type);
        const argNames = rels.map((_, i) => `${ident(name)}__${i}`);
        args.push(...argNames);
        callArgs.push(...rels.map((r) => v.comp(r)));
        names.set(name, { kind: "composite", type: v.type, comp: (rel) => argNames[rels.indexOf(rel)] ?? "0" });
      }
    }
    const fname = this.fresh("h");
    const lines = body({ buf: "b", names }, fname);
    this.helpers.push(`function ${fname}(b${args.map((a) => `, ${a}`).join("")}) {\n${lines.map((l) => `  ${l}`).join("\n")}\n}`);
    return `${fname}(${callArgs.join(", ")})`;
  }

  private domainLoop(sortArg: { name: string; parent?: string }, variable: string): string {
    if (sortArg.parent === undefined) return `for (let ${variable} = 0; ${variable} < ${this.inst.sizes[sortArg.name]!}; ${variable}++)`;
    const members = this.table(this.inst.members[sortArg.name]!);
    const i = this.fresh("i");
    return `for (let ${i} = 0, ${variable} = ${members}[0]; ${i} < ${members}.length; ${i}++, ${variable} = ${members}[${i}])`;
  }

  private quantifierBody(n: Extract<Node, { op: "quant" }>, scope: Scope, _name: string): string[] {
    const x = ident(n.bound);
    const inner: Scope = { buf: scope.buf, names: new Map([...scope.names, [n.bound, { kind: "scalar", type: n.sort, js: x }]]) };
    const body = this.scalar(this.expr(n.body, inner));
    return n.q === "forall"
      ? [`${this.domainLoop(n.sort, x)} if (!${body}) return false;`, "return true;"]
      : [`${this.domainLoop(n.sort, x)} if (${body}) return true;`, "return false;"];
  }

  private reachBody(n: Extract<Node, { op: "reach" }>, scope: Scope): string[] {
    const cur = ident(n.bound);
    const from = this.scalar(this.expr(n.from, scope));
    const target = this.scalar(this.expr(n.target, scope));
    const inner: Scope = { buf: scope.buf, names: new Map([...scope.names, [n.bound, { kind: "scalar", type: n.sort, js: cur }]]) };
    const step = this.scalar(this.expr(n.step, inner));
    return [
      `let ${cur} = ${from};`,
      `const target = ${target};`,
      `for (let hops = 0; hops < ${rangeOf(this.inst, n.sort)}; hops++) {`,
      `  const next = ${step};`,
      "  if (next === 0) return false;",
      "  if (next - 1 === target) return true;",
      `  ${cur} = next - 1;`,
      "}",
      "return false;",
    ];
  }

  // --- statements ---------------------------------------------------------------

  private writeLeaf(loc: Loc, rel: string, value: string, lines: string[]): void {
    const l = this.leaf(loc, rel);
    if (l === null) return;
    const at = `${loc.buf}[${this.byteAt(loc, l.bit >> 3)}]`;
    const mask = ((1 << l.width) - 1) << (l.bit & 7);
    if (mask === 0xff) lines.push(`${at} = ${value};`);
    else lines.push(`${at} = (${at} & ${~mask & 0xff}) | (${value} << ${l.bit & 7});`);
  }

  stmt(s: Stmt, scope: Scope, lines: string[]): void {
    switch (s.op) {
      case "assign": {
        const loc = this.location(s.target, scope);
        const value = this.expr(s.value, scope);
        const rels = isScalar(s.target.type) ? [""] : leafPaths(this.inst, s.target.type);
        // Every leaf's new value first: the value may read the location it replaces.
        const temps = rels.map((r) => {
          const t = this.fresh("v");
          lines.push(`const ${t} = ${this.component(value, r)};`);
          return t;
        });
        this.writeLeaves(loc, rels, temps, lines);
        return;
      }
      case "include":
      case "exclude": {
        const loc = this.location(s.set, scope);
        const elem = this.scalar(this.expr(s.elem, scope));
        const bit = s.op === "include" ? "1" : "0";
        if (/^\d+$/.test(elem)) return this.writeLeaf(loc, elem, bit, lines);
        const { byte, shift } = this.memberTables(loc, (s.set.type as { of: { name: string; parent?: string } }).of);
        const at = `${loc.buf}[${loc.offset} + ${byte}[${elem}]]`;
        lines.push(s.op === "include" ? `${at} |= 1 << ${shift}[${elem}];` : `${at} &= ~(1 << ${shift}[${elem}]);`);
        return;
      }
      case "if": {
        lines.push(`if (${this.scalar(this.expr(s.cond, scope))}) {`);
        for (const x of s.then) this.stmt(x, scope, lines);
        if (s.else.length > 0) {
          lines.push("} else {");
          for (const x of s.else) this.stmt(x, scope, lines);
        }
        lines.push("}");
        return;
      }
      case "forEach": {
        const x = ident(s.bound);
        const inner: Scope = { buf: scope.buf, names: new Map([...scope.names, [s.bound, { kind: "scalar", type: s.sort, js: x }]]) };
        lines.push(`${this.domainLoop(s.sort, x)} {`);
        const where = this.scalar(this.expr(s.where, inner));
        if (where !== "true") lines.push(`if (!${where}) continue;`);
        for (const b of s.body) this.stmt(b, inner, lines);
        lines.push("}");
        return;
      }
    }
  }

  /**
   * Writes leaves, one store per byte: the byte's bits that the value covers
   * are cleared, then the leaves' values are or-ed in. Leaves of different
   * variants may share bits; the inactive ones are 0, so the or keeps the
   * active one.
   */
  private writeLeaves(loc: Loc, rels: readonly string[], values: readonly string[], lines: string[]): void {
    const written = new Map<number, { leaf: Leaf; value: string }[]>();
    rels.forEach((r, i) => {
      const l = this.leaf(loc, r);
      if (l === null) return;
      const byte = l.bit >> 3;
      written.set(byte, [...(written.get(byte) ?? []), { leaf: l, value: values[i]! }]);
    });
    for (const [byte, parts] of written) {
      const mask = parts.reduce((m, p) => m | (((1 << p.leaf.width) - 1) << (p.leaf.bit & 7)), 0);
      const value = parts.map((p) => ((p.leaf.bit & 7) === 0 ? p.value : `(${p.value} << ${p.leaf.bit & 7})`)).join(" | ");
      const others = loc.v.leaves.some((l) => l.width > 0 && l.bit >> 3 === byte && ((((1 << l.width) - 1) << (l.bit & 7)) & ~mask) !== 0);
      const at = `${loc.buf}[${this.byteAt(loc, byte)}]`;
      lines.push(others ? `${at} = (${at} & ${~mask & 0xff}) | ${value};` : `${at} = ${value};`);
    }
  }

  // --- actions and invariants ---------------------------------------------------

  /** The parameter's loop header and the value it binds. */
  private paramLoop(name: string, type: Type): { header: string; value: CVal } {
    const v = ident(`p_${name}`);
    switch (type.kind) {
      case "sort":
        return { header: this.domainLoop(type, v), value: { kind: "scalar", type, js: v } };
      case "bool":
        return { header: `for (let ${v}i = 0; ${v}i < 2; ${v}i++)`, value: { kind: "scalar", type, js: `(${v}i === 1)` } };
      case "enum":
        return { header: `for (let ${v} = 0; ${v} < ${type.values.length}; ${v}++)`, value: { kind: "scalar", type, js: v } };
      default: {
        // A finite composite (e.g. an address): its values' leaves as rows of a table.
        const rels = leafPaths(this.inst, type);
        const rows = enumerate(this.inst, type).map((value) => storedLeaves(type, value));
        const columns = rels.map((r) => this.table(rows.map((row) => row.get(r) ?? 0)));
        return {
          header: `for (let ${v} = 0; ${v} < ${rows.length}; ${v}++)`,
          value: { kind: "composite", type, comp: (rel) => (rels.includes(rel) ? `${columns[rels.indexOf(rel)]}[${v}]` : "0") },
        };
      }
    }
  }

  action(a: Action, index: number, lines: string[]): void {
    const levels: Expr[][] = Array.from({ length: a.params.length + 1 }, () => []);
    for (const c of a.guard) {
      const names = namesIn(c);
      let last = -1;
      a.params.forEach((p, i) => {
        if (names.has(p.name)) last = i;
      });
      levels[last + 1]!.push(c);
    }
    const names = new Map<string, CVal>();
    lines.push(`// ${a.name}`);
    lines.push("{");
    const emitLevel = (depth: number) => {
      const guard = levels[depth]!.map((c) => this.scalar(this.expr(c, { buf: "s", names })));
      if (guard.length > 0) lines.push(`if (${guard.join(" && ")}) {`);
      if (depth === a.params.length) {
        // The first `skip` successors are only counted (simulation picks one without building the others).
        lines.push("if (n++ >= skip) {");
        lines.push("out.set(s);");
        for (const st of a.effect) this.stmt(st, { buf: "out", names }, lines);
        lines.push(`if (emit(${index}, out) === false) return n;`);
        lines.push("}");
      } else {
        const p = a.params[depth]!;
        const { header, value } = this.paramLoop(p.name, p.type);
        names.set(p.name, value);
        lines.push(`${header} {`);
        emitLevel(depth + 1);
        lines.push("}");
      }
      if (guard.length > 0) lines.push("}");
    };
    emitLevel(0);
    lines.push("}");
  }

  module(): string {
    const expand: string[] = [];
    this.spec.actions.forEach((a, i) => this.action(a, i, expand));
    const broken = this.spec.invariants.map((inv, i) => `if (!${this.scalar(this.expr(inv.holds, { buf: "s", names: new Map() }))}) return ${i};`);
    return [
      '"use strict";',
      ...this.constants,
      `const out = new Uint8Array(${this.layout.length});`,
      ...this.helpers,
      "function expand(s, emit, skip = 0) {",
      "  let n = 0;",
      ...expand.map((l) => `  ${l}`),
      "  return n;",
      "}",
      "function brokenInvariant(s) {",
      ...broken.map((l) => `  ${l}`),
      "  return -1;",
      "}",
      "return { expand, brokenInvariant };",
    ].join("\n");
  }
}

/** Compiles a spec's actions and invariants for one instance and layout. */
export function compileFastPath(spec: Spec, inst: Instance, layout: Layout): FastPath {
  const source = new Compiler(spec, inst, layout).module();
  const built = new Function(source)() as Omit<FastPath, "source">;
  return { ...built, source };
}
