/**
 * A spec of the language as a Promela model for Spin, for one instance:
 * every (action, parameter tuple) whose guard is not false on the instance's
 * facts becomes one option of a single `do` loop, wrapped in `d_step` (the
 * guard first, then the effect), so one step of the spec is one Spin
 * transition and no intermediate state is stored. The variables are the
 * leaves of the state (layout.ts's), one Promela array per leaf, indexed by
 * the element; the leaves of inactive variants stay 0, the process never
 * leaves the loop head and the loop head carries an `end` label, so Spin's
 * "states, stored" equals the checker's distinct-state count. Quantifiers,
 * loops over elements and the chain walk are unrolled over the instance's
 * finite sorts.
 *
 * Derived from the same statement as the checker's fast path; the bench
 * holds the counts equal (tests/bench/promela-agreement.test.ts).
 */
import { type Expr, type Node, type Stmt, children, readsState } from "./ast.js";
import { Interpreter } from "./interpret.js";
import { fieldType, isScalar, leafPaths, storedLeaves } from "./leaves.js";
import { type Action, type Instance, type Spec, type Value, elementsOf, rangeOf } from "./spec.js";
import { type SetType, type Type, rootSort } from "./types.js";
import { enumerate } from "./values.js";

type PVal =
  | { readonly kind: "scalar"; readonly type: Type; readonly pml: string }
  | { readonly kind: "composite"; readonly type: Type; readonly comp: (rel: string) => string };

type Scope = ReadonlyMap<string, PVal>;

const bitsNeeded = (values: number): "bit" | "byte" | "short" => (values <= 2 ? "bit" : values <= 256 ? "byte" : "short");
const leafName = (variable: string, rel: string) => `${variable}${rel === "" ? "" : `_${rel.replace(/\./g, "_")}`}`;

class PromelaWriter {
  private readonly interpreter: Interpreter;
  /** Per variable: how many elements are stored and how an element's indexes give its position. */
  private readonly counts = new Map<string, readonly number[]>();

  constructor(
    private readonly spec: Spec,
    private readonly inst: Instance,
  ) {
    this.interpreter = new Interpreter(spec, inst);
    for (const v of spec.variables) this.counts.set(v.name, v.index.map((s) => elementsOf(inst, s).length));
  }

  /** A chain of conditional expressions standing for a table (Promela has no constant arrays outside the state). */
  private lookup(arg: string, table: readonly number[]): string {
    if (/^\d+$/.test(arg)) return String(table[Number(arg)] ?? 0);
    return table.reduceRight((rest, value, i) => (value === Number(rest) ? rest : `(${arg} == ${i} -> ${value} : ${rest})`), "0");
  }

  /** The position of a variable's element among the stored ones. */
  private position(variable: string, index: readonly string[]): string {
    const decl = this.spec.variables.find((v) => v.name === variable)!;
    let flat = "";
    decl.index.forEach((sort, k) => {
      const slot = sort.parent === undefined ? index[k]! : this.lookup(index[k]!, Array.from({ length: rangeOf(this.inst, sort) }, (_, e) => Math.max(0, elementsOf(this.inst, sort).indexOf(e))));
      flat = k === 0 ? slot : `(${flat}) * ${this.counts.get(variable)![k]} + ${slot}`;
    });
    if (flat === "") return "0";
    return /^[\d ()*+]+$/.test(flat) ? String(Function(`return ${flat}`)()) : flat;
  }

  private leafAt(variable: string, index: readonly string[], rel: string): string {
    return `${leafName(variable, rel)}[${this.position(variable, index)}]`;
  }

  // --- expressions --------------------------------------------------------------

  private stored(v: PVal): string {
    if (v.kind !== "scalar") throw new Error("a composite where a scalar is expected");
    return v.type.kind === "bool" ? `(${v.pml} -> 1 : 0)` : v.pml;
  }

  private component(v: PVal, rel: string): string {
    return v.kind === "scalar" ? this.stored(v) : v.comp(rel);
  }

  private scalar(v: PVal): string {
    if (v.kind !== "scalar") throw new Error("a composite where a scalar is expected");
    return v.pml;
  }

  private fromStored(type: Type, pml: string): PVal {
    return { kind: "scalar", type, pml: type.kind === "bool" ? `(${pml} == 1)` : pml };
  }

  /** A constant: the value of an expression that reads no state and no loop variable. */
  private constant(e: Expr, scope: Scope, env: Record<string, Value>): PVal | null {
    if (readsState(e)) return null;
    for (const name of freeNames(e)) if (!(name in env)) return null;
    void scope;
    const value = this.interpreter.evaluate(e, {}, env);
    if (isScalar(e.type)) {
      const leaves = storedLeaves(e.type, value);
      const x = leaves.get("")!;
      return { kind: "scalar", type: e.type, pml: e.type.kind === "bool" ? (x === 1 ? "true" : "false") : String(x) };
    }
    const leaves = storedLeaves(e.type, value);
    return { kind: "composite", type: e.type, comp: (rel) => String(leaves.get(rel) ?? 0) };
  }

  expr(e: Expr, scope: Scope, env: Record<string, Value>): PVal {
    const folded = this.constant(e, scope, env);
    if (folded !== null) return folded;
    const n = e.node;
    const scalar = (pml: string): PVal => ({ kind: "scalar", type: e.type, pml });
    switch (n.op) {
      case "lit":
      case "emptySet":
        throw new Error("a literal that did not fold");
      case "param":
      case "bound": {
        const v = scope.get(n.name);
        if (v === undefined) throw new Error(`unbound ${n.name}`);
        return v;
      }
      case "rigid": {
        const decl = this.spec.rigids.find((r) => r.name === n.fn)!;
        if (decl.args.length !== 1) throw new Error(`${n.fn}: only unary rigid facts are translated`);
        const fn = this.inst.rigids[n.fn]!;
        const table = Array.from({ length: rangeOf(this.inst, decl.args[0]!) }, (_, i) => storedLeaves(e.type, fn(i)).get("")!);
        return this.fromStored(e.type, this.lookup(this.scalar(this.expr(n.args[0]!, scope, env)), table));
      }
      case "inSort": {
        const members = new Set(this.inst.members[n.sort.name]!);
        const table = Array.from({ length: rangeOf(this.inst, n.sort) }, (_, i) => (members.has(i) ? 1 : 0));
        return scalar(`(${this.lookup(this.scalar(this.expr(n.arg, scope, env)), table)} == 1)`);
      }
      case "read": {
        const index = n.index.map((i) => this.scalar(this.expr(i, scope, env)));
        if (isScalar(e.type)) return this.fromStored(e.type, this.leafAt(n.variable, index, ""));
        return { kind: "composite", type: e.type, comp: (rel) => this.leafAt(n.variable, index, rel) };
      }
      case "field": {
        // Inactive leaves are kept 0 in their own arrays, so a field reads its leaf directly.
        const of = this.expr(n.of, scope, env);
        if (of.kind !== "composite") throw new Error("field of a scalar");
        if (isScalar(e.type)) return this.fromStored(e.type, of.comp(n.name));
        return { kind: "composite", type: e.type, comp: (rel) => of.comp(rel === "" ? n.name : `${n.name}.${rel}`) };
      }
      case "isTag": {
        const t = n.of.type;
        const of = this.expr(n.of, scope, env);
        if (t.kind !== "union" || of.kind !== "composite") throw new Error("isTag of a non-union");
        return scalar(`(${of.comp(t.tagField)} == ${t.variants.findIndex((v) => v.tag === n.tag)})`);
      }
      case "make": {
        const t = e.type;
        const fields = new Map(Object.entries(n.fields).map(([k, x]) => [k, this.expr(x, scope, env)]));
        return {
          kind: "composite",
          type: t,
          comp: (rel) => {
            const [head, ...rest] = rel.split(".");
            if (t.kind === "union" && head === t.tagField && rest.length === 0) return String(t.variants.findIndex((v) => v.tag === n.tag));
            const f = fields.get(head!);
            return f === undefined ? "0" : this.component(f, rest.join("."));
          },
        };
      }
      case "some":
        return scalar(`(${this.scalar(this.expr(n.of, scope, env))} + 1)`);
      case "value":
        return scalar(`(${this.scalar(this.expr(n.of, scope, env))} - 1)`);
      case "eq": {
        const a = this.expr(n.a, scope, env);
        const b = this.expr(n.b, scope, env);
        if (a.kind === "scalar" && b.kind === "scalar") return scalar(`(${a.pml} == ${b.pml})`);
        return scalar(`(${leafPaths(this.inst, n.a.type).map((r) => `${this.component(a, r)} == ${this.component(b, r)}`).join(" && ") || "true"})`);
      }
      case "not":
        return scalar(`!${this.scalar(this.expr(n.a, scope, env))}`);
      case "and":
      case "or": {
        const parts = n.args.map((a) => this.scalar(this.expr(a, scope, env)));
        return scalar(`(${parts.join(n.op === "and" ? " && " : " || ")})`);
      }
      case "ite": {
        const c = this.scalar(this.expr(n.c, scope, env));
        const a = this.expr(n.a, scope, env);
        const b = this.expr(n.b, scope, env);
        if (a.kind === "scalar" && b.kind === "scalar") return scalar(`(${c} -> ${a.pml} : ${b.pml})`);
        return { kind: "composite", type: e.type, comp: (rel) => `(${c} -> ${this.component(a, rel)} : ${this.component(b, rel)})` };
      }
      case "member": {
        const set = n.set.node;
        if (set.op !== "read") throw new Error("membership in a set that is not a variable's");
        const index = set.index.map((i) => this.scalar(this.expr(i, scope, env)));
        const elem = this.scalar(this.expr(n.elem, scope, env));
        const members = Array.from({ length: rangeOf(this.inst, (n.set.type as SetType).of) }, (_, x) => x);
        if (/^\d+$/.test(elem)) return scalar(`(${this.leafAt(set.variable, index, elem)} == 1)`);
        return scalar(`(${members.map((x) => `(${elem} == ${x} && ${this.leafAt(set.variable, index, String(x))} == 1)`).join(" || ")})`);
      }
      case "quant": {
        const parts = elementsOf(this.inst, n.sort).map((x) => this.scalar(this.expr(n.body, new Map([...scope, [n.bound, { kind: "scalar", type: n.sort, pml: String(x) }]]), { ...env, [n.bound]: x })));
        if (parts.length === 0) return scalar(n.q === "forall" ? "true" : "false");
        return scalar(`(${parts.join(n.q === "forall" ? " && " : " || ")})`);
      }
      case "wrap":
        return scalar(`(${this.scalar(this.expr(n.arg, scope, env))} % ${this.inst.sizes[rootSort(n.sort)]!})`);
      case "reach":
        return scalar(this.reach(n, scope, env));
    }
  }

  /** The chain walk unrolled: at most |sort| hops, each the step from the element the previous one reached. */
  private reach(n: Extract<Node, { op: "reach" }>, scope: Scope, env: Record<string, Value>): string {
    const target = this.scalar(this.expr(n.target, scope, env));
    const hops = rangeOf(this.inst, n.sort);
    const walk = (current: string, hop: number): string => {
      if (hop === hops) return "false";
      const next = this.scalar(this.expr(n.step, new Map([...scope, [n.bound, { kind: "scalar", type: n.sort, pml: current }]]), env));
      return `(${next} == 0 -> false : (${next} - 1 == ${target} -> true : ${walk(`(${next} - 1)`, hop + 1)}))`;
    };
    return walk(this.scalar(this.expr(n.from, scope, env)), 0);
  }

  // --- statements ---------------------------------------------------------------

  private targetLeaves(target: Expr, scope: Scope, env: Record<string, Value>): { variable: string; index: string[]; prefix: string } {
    const n = target.node;
    if (n.op === "field") {
      const inner = this.targetLeaves(n.of, scope, env);
      return { ...inner, prefix: inner.prefix === "" ? n.name : `${inner.prefix}.${n.name}` };
    }
    if (n.op !== "read") throw new Error("not a location");
    return { variable: n.variable, index: n.index.map((i) => this.scalar(this.expr(i, scope, env))), prefix: "" };
  }

  stmt(s: Stmt, scope: Scope, env: Record<string, Value>, out: string[], temps: { used: number }): void {
    switch (s.op) {
      case "assign": {
        const where = this.targetLeaves(s.target, scope, env);
        const value = this.expr(s.value, scope, env);
        const rels = isScalar(s.target.type) ? [""] : leafPaths(this.inst, s.target.type);
        const join = (rel: string) => (where.prefix === "" ? rel : rel === "" ? where.prefix : `${where.prefix}.${rel}`);
        // A value that reads the location it replaces goes through scratch variables (zeroed after, so no state is added).
        const values = rels.map((r) => this.component(value, r));
        const rereads = values.some((v) => v.includes(`${leafName(where.variable, "")}`));
        if (rereads && rels.length > 1) {
          values.forEach((v, i) => out.push(`scratch[${temps.used + i}] = ${v}`));
          rels.forEach((r, i) => out.push(`${this.leafAt(where.variable, where.index, join(r))} = scratch[${temps.used + i}]`));
          rels.forEach((_, i) => out.push(`scratch[${temps.used + i}] = 0`));
        } else rels.forEach((r, i) => out.push(`${this.leafAt(where.variable, where.index, join(r))} = ${values[i]}`));
        return;
      }
      case "include":
      case "exclude": {
        const where = this.targetLeaves(s.set, scope, env);
        const elem = this.scalar(this.expr(s.elem, scope, env));
        const bit = s.op === "include" ? 1 : 0;
        const set = s.set.type as { of: { name: string; parent?: string } };
        if (/^\d+$/.test(elem)) out.push(`${this.leafAt(where.variable, where.index, elem)} = ${bit}`);
        else
          for (let x = 0; x < this.inst.sizes[set.of.parent ?? set.of.name]!; x++)
            out.push(`if :: ${elem} == ${x} -> ${this.leafAt(where.variable, where.index, String(x))} = ${bit} :: else -> skip fi`);
        return;
      }
      case "if": {
        const then: string[] = [];
        const otherwise: string[] = [];
        for (const x of s.then) this.stmt(x, scope, env, then, temps);
        for (const x of s.else) this.stmt(x, scope, env, otherwise, temps);
        const cond = this.scalar(this.expr(s.cond, scope, env));
        if (cond === "true") out.push(...then);
        else if (cond === "false") out.push(...otherwise);
        else out.push(`if :: ${cond} -> ${[...then, "skip"].join("; ")} :: else -> ${[...otherwise, "skip"].join("; ")} fi`);
        return;
      }
      case "forEach":
        for (const x of elementsOf(this.inst, s.sort)) {
          const inner = new Map([...scope, [s.bound, { kind: "scalar", type: s.sort, pml: String(x) } as PVal]]);
          const innerEnv = { ...env, [s.bound]: x };
          // The elements are chosen before the loop: each where reads only its own element's locations (ast.ts).
          this.stmt({ op: "if", cond: s.where, then: s.body, else: [] }, inner, innerEnv, out, temps);
        }
        return;
    }
  }

  action(a: Action): string[] {
    const options: string[] = [];
    const enumerateFrom = (depth: number, env: Record<string, Value>, scope: Map<string, PVal>) => {
      if (depth === a.params.length) {
        const guard = a.guard.map((g) => this.scalar(this.expr(g, scope, env)));
        if (guard.includes("false")) return;
        const effect: string[] = [];
        for (const s of a.effect) this.stmt(s, scope, env, effect, { used: 0 });
        const label = a.params.map((p) => `${p.name} ${JSON.stringify(env[p.name])}`).join(" ");
        options.push(`  :: d_step { /* ${a.name} ${label.replace(/\*\//g, "")} */ (${guard.filter((g) => g !== "true").join(" && ") || "true"}) ->\n       ${[...effect, "skip"].join(";\n       ")}\n     }`);
        return;
      }
      const p = a.params[depth]!;
      for (const value of enumerate(this.inst, p.type)) {
        const leaves = storedLeaves(p.type, value);
        const v: PVal = isScalar(p.type)
          ? { kind: "scalar", type: p.type, pml: p.type.kind === "bool" ? (value ? "true" : "false") : String(leaves.get("")) }
          : { kind: "composite", type: p.type, comp: (rel) => String(leaves.get(rel) ?? 0) };
        enumerateFrom(depth + 1, { ...env, [p.name]: value }, new Map([...scope, [p.name, v]]));
      }
    };
    enumerateFrom(0, {}, new Map());
    return options;
  }

  declarations(): string[] {
    const lines: string[] = [];
    const initial = this.interpreter.initial();
    for (const v of this.spec.variables) {
      const count = this.counts.get(v.name)!.reduce((a, b) => a * b, 1);
      const initialLeaves = elementValues(this.spec, this.inst, v.name, initial).map((value) => storedLeaves(v.type, value));
      for (const rel of leafPaths(this.inst, v.type)) {
        const values = initialLeaves.map((l) => l.get(rel) ?? 0);
        if (new Set(values).size > 1) throw new Error(`${v.name}.${rel}: initial values differ between elements (not translated)`);
        const width = leafValues(this.inst, v.type, rel);
        lines.push(`${bitsNeeded(width)} ${leafName(v.name, rel)}[${Math.max(count, 1)}]${values[0] ? ` = ${values[0]}` : ""};`);
      }
    }
    return lines;
  }
}

/** The free names (parameters and bound variables not bound inside) of an expression. */
function freeNames(e: Expr): Set<string> {
  const out = new Set<string>();
  const walk = (x: Expr, bound: ReadonlySet<string>) => {
    const n = x.node;
    if ((n.op === "param" || n.op === "bound") && !bound.has(n.name)) out.add(n.name);
    const inner = n.op === "quant" || n.op === "reach" ? new Set([...bound, n.bound]) : bound;
    for (const c of children(n)) walk(c, inner);
  };
  walk(e, new Set());
  return out;
}

/** How many values a leaf takes. */
function leafValues(inst: Instance, t: Type, rel: string): number {
  const segments = rel === "" ? [] : rel.split(".");
  let here = t;
  for (const s of segments) {
    if (here.kind === "union" && s === here.tagField) return here.variants.length;
    if (here.kind === "set") return 2;
    here = fieldType(here, s);
  }
  switch (here.kind) {
    case "bool":
      return 2;
    case "enum":
      return here.values.length;
    case "sort":
      return rangeOf(inst, here);
    case "option":
      return rangeOf(inst, here.of) + 1;
    default:
      return 2;
  }
}

/** The initial values of a variable's stored elements, in storage order. */
function elementValues(spec: Spec, inst: Instance, variable: string, state: Readonly<Record<string, unknown>>): Value[] {
  const decl = spec.variables.find((v) => v.name === variable)!;
  const out: Value[] = [];
  const walk = (k: number, here: unknown) => {
    if (k === decl.index.length) out.push(here as Value);
    else for (const e of elementsOf(inst, decl.index[k]!)) walk(k + 1, (here as unknown[])[e]);
  };
  walk(0, state[variable]);
  return out;
}

/** The Promela model of a spec on an instance, as text (deterministic: the same input gives the same bytes). */
export function promelaOf(spec: Spec, inst: Instance, title: string): string {
  const w = new PromelaWriter(spec, inst);
  const options = spec.actions.flatMap((a) => w.action(a));
  const scratch = Math.max(1, ...spec.variables.map((v) => leafPaths(inst, v.type).length));
  return [
    `/* ${title} */`,
    "/* Breadth-first safety check without partial-order reduction: spin -a; cc -DBFS -DNOREDUCE -DSAFETY */",
    "",
    ...w.declarations(),
    "/* scratch for values that read the location they replace: always 0 between steps */",
    `short scratch[${scratch}];`,
    "",
    "active proctype spec() {",
    "end:",
    "  do",
    ...options,
    "  od",
    "}",
    "",
  ].join("\n");
}
