/**
 * The SMT back end: a spec of the language written in SMT-LIB 2 for z3,
 * derived from the same trees as every other back end (never a second copy
 * of the design). One translation, two ways of reading the sorts:
 *
 *   unbounded   every sort an uninterpreted sort (so a proof holds for every
 *               size), a subsort a predicate, rigid facts uninterpreted
 *               functions constrained only by their types and the spec's
 *               stated assumptions, a literal of a sort a distinct constant,
 *               `wrap` an uninterpreted function, and `reach` (D4's wait
 *               cycle) OVER-APPROXIMATED: an uninterpreted predicate of the
 *               chain's two ends, so either outcome is allowed. Sound for
 *               invariants: a proof covers every way the check could decide.
 *   bounded     every sort the integers 0..n-1 of one size (a configuration,
 *               or the paper's scale); rigid facts either one instance's
 *               tables or symbolic (every configuration of those sizes);
 *               `wrap` is `mod`, `reach` is unrolled |sort| hops: exact.
 *
 * Values: bool is Bool, an enumeration a datatype of nullary constructors,
 * an option a datatype none | some(value), a record a datatype of one
 * constructor, a union a datatype with a constructor per variant. A field of
 * an inactive variant reads as its type's zero value (an `ite` on the
 * testers), as in the interpreter. A state variable is an array over its
 * index sorts; a set-valued variable an array of Bool over its index sorts
 * and then the element. Statements are sequential functional updates
 * (store); `forEach` is one `lambda` over the locations its element indexes.
 *
 * Everything is emitted as define-funs over the state's arrays (and an
 * action's parameters), so an obligation, a bounded search step or an
 * agreement query is a few calls of them.
 */
import { Expr, type Stmt, children } from "./ast.js";
import type { Action, Instance, Spec, Variable } from "./spec.js";
import { rangeOf } from "./spec.js";
import { type Sort, type Type, rootSort } from "./types.js";

/** The name of the conjunct of IndInv generated from the types: every stored value is of its declared type. */
export const TYPE_OK = "TypeOK";

/** A named closed predicate over the state (an invariant, a lemma). */
export interface Predicate {
  readonly name: string;
  readonly holds: Expr;
}

export interface SmtOptions {
  /** Absent: unbounded (uninterpreted sorts). Present: the size of every base sort. */
  readonly sizes?: Readonly<Record<string, number>>;
  /** With sizes: the subsort members and rigid facts of this instance; without, they are symbolic. */
  readonly instance?: Instance;
  /** Closed predicates over the rigid facts that every configuration satisfies (asserted with the prelude). */
  readonly assumptions?: readonly Predicate[];
  /** The state predicates to define (invariants and lemmas), each as `inv.<name>`. */
  readonly predicates?: readonly Predicate[];
  /**
   * Bounded: a quantifier over a sort of at most this many elements is
   * written out as a conjunction or disjunction over them (ground formulas
   * are far easier for z3 than quantifiers over integer ranges). Default 8.
   */
  readonly expandUpTo?: number;
  /**
   * Bounded: how many hops `reach` walks (default the sort's size, exact).
   * Fewer is exact too when the caller knows the chains are shorter (a
   * bounded search of K steps: a chain passes only through threads blocked
   * by those steps, so K + 1 hops find any target it reaches).
   */
  readonly reachHops?: number;
}

/** A symbol: letters, digits and ~!@$%^&*_-+=<>.?/ are allowed unquoted. */
const sym = (text: string): string => text.replace(/[^A-Za-z0-9~!@$%^&*_\-+=<>.?/]/g, "_");

/** Names bound to SMT terms (parameters, bound variables) and the state's arrays. */
interface Env {
  readonly names: ReadonlyMap<string, string>;
  readonly state: ReadonlyMap<string, string>;
}

/** A write of a statement: the variable, its index expressions and (sets) the element. */
interface Access {
  readonly variable: string;
  readonly at: readonly Expr[];
}

export class SmtEncoding {
  readonly bounded: boolean;
  /** Declarations gathered while translating (literal constants, wrap functions, reach predicates). */
  private readonly literals = new Map<string, Set<number>>();
  private readonly extraDecls: string[] = [];
  private readonly extraAxioms: string[] = [];
  private counter = 0;
  private readonly defs: string[] = [];
  readonly text: string;

  constructor(
    readonly spec: Spec,
    readonly options: SmtOptions = {},
  ) {
    this.bounded = options.sizes !== undefined;
    // Definitions first (they gather the literals and functions they use), then the declarations they need.
    this.defineStatePredicates();
    for (const action of spec.actions) this.defineAction(action);
    for (const p of options.predicates ?? []) this.defineFun(`inv.${sym(p.name)}`, this.stateArgs(), "Bool", this.expr(p.holds, this.stateEnv()));
    const assumptions = (options.assumptions ?? []).map((a) => `(assert ${this.expr(a.holds, { names: new Map(), state: new Map() })}) ; ${a.name}`);
    this.text = [...this.declarations(), ...this.extraDecls, ...this.extraAxioms, ...assumptions, ...this.defs, ""].join("\n");
  }

  // --- sorts and types ----------------------------------------------------------

  /** A name as an SMT-LIB symbol (as the encoding writes it). */
  symbol(text: string): string {
    return sym(text);
  }

  sortOf(s: Sort): string {
    return this.bounded ? "Int" : sym(rootSort(s));
  }

  /** The SMT sort of a value type (sets only as a variable's whole type: see varSort). */
  typeOf(t: Type): string {
    switch (t.kind) {
      case "bool":
        return "Bool";
      case "sort":
        return this.sortOf(t);
      case "enum":
      case "record":
      case "union":
        // A value type named like a sort (the union Page of page-table entries) gets a suffix.
        return this.spec.sorts.some((x) => x.name === t.name) ? `${sym(t.name)}Value` : sym(t.name);
      case "option":
        return `Option.${sym(rootSort(t.of))}`;
      case "set":
        throw new Error("the SMT back end takes a set only as a state variable's whole type");
    }
  }

  /** The array sort of a state variable: its index sorts (and a set's element sort) to its value. */
  varSort(v: Variable): string {
    const index = this.indexSorts(v).map((s) => this.sortOf(s));
    const value = v.type.kind === "set" ? "Bool" : this.typeOf(v.type);
    return index.length === 0 ? value : `(Array ${index.join(" ")} ${value})`;
  }

  indexSorts(v: Variable): Sort[] {
    return v.type.kind === "set" ? [...v.index, v.type.of] : [...v.index];
  }

  private sizeOf(s: Sort): number {
    return this.options.sizes![rootSort(s)]!;
  }

  /** A sort element given by its number: a literal constant (unbounded) or the integer. */
  literal(s: Sort, n: number): string {
    if (this.bounded) return String(n);
    const root = rootSort(s);
    if (!this.literals.has(root)) this.literals.set(root, new Set());
    this.literals.get(root)!.add(n);
    return `${sym(root)}!${n}`;
  }

  /** Whether the term is an element of the sort (a subsort's member; in range when bounded). */
  member(s: Sort, x: string): string {
    const conds: string[] = [];
    if (this.bounded) conds.push(`(<= 0 ${x})`, `(< ${x} ${this.sizeOf(s)})`);
    if (s.parent !== undefined) conds.push(`(${sym(s.name)}? ${x})`);
    return conds.length === 0 ? "true" : conds.length === 1 ? conds[0]! : `(and ${conds.join(" ")})`;
  }

  /** The zero value of a type: what a field of an inactive variant reads as. */
  zero(t: Type): string {
    switch (t.kind) {
      case "bool":
        return "false";
      case "enum":
        return `${this.typeOf(t)}.${sym(t.values[0]!)}`;
      case "sort":
        return this.literal(t, 0);
      case "option":
        return `Option.${sym(rootSort(t.of))}.none`;
      case "record":
        return this.construct(`${this.typeOf(t)}.mk`, t.fields.map((f) => this.zero(f.type)));
      case "union": {
        const v = t.variants[0]!;
        return this.construct(`${this.typeOf(t)}.${sym(String(v.tag))}`, v.fields.map((f) => this.zero(f.type)));
      }
      case "set":
        throw new Error("no zero value of a set in SMT");
    }
  }

  private construct(name: string, args: readonly string[]): string {
    return args.length === 0 ? name : `(${name} ${args.join(" ")})`;
  }

  /** Every value type the spec's variables, parameters and rigid facts mention, dependencies first. */
  private valueTypes(): Type[] {
    const out: Type[] = [];
    const seen = new Set<string>();
    const visit = (t: Type): void => {
      if (t.kind === "record") t.fields.forEach((f) => visit(f.type));
      if (t.kind === "union") t.variants.forEach((v) => v.fields.forEach((f) => visit(f.type)));
      if (t.kind === "bool" || t.kind === "sort" || t.kind === "set") return;
      const key = this.typeOf(t);
      if (seen.has(key)) return;
      seen.add(key);
      out.push(t);
    };
    const visitExpr = (e: Expr): void => {
      if (e.type.kind !== "set") visit(e.type);
      children(e.node).forEach(visitExpr);
    };
    for (const v of this.spec.variables) if (v.type.kind !== "set") visit(v.type);
    for (const r of this.spec.rigids) visit(r.result);
    for (const a of this.spec.actions) {
      a.params.forEach((p) => visit(p.type));
      a.guard.forEach(visitExpr);
      a.reports.forEach((r) => visitExpr(r.value));
    }
    return out;
  }

  private datatype(t: Type): string {
    const name = this.typeOf(t);
    const field = (prefix: string, f: { name: string; type: Type }) => `(${prefix}.${sym(f.name)} ${this.typeOf(f.type)})`;
    let ctors: string[];
    switch (t.kind) {
      case "enum":
        ctors = t.values.map((v) => `(${name}.${sym(v)})`);
        break;
      case "option":
        ctors = [`(${name}.none)`, `(${name}.some (${name}.value ${this.sortOf(t.of)}))`];
        break;
      case "record":
        ctors = [`(${name}.mk ${t.fields.map((f) => field(name, f)).join(" ")})`];
        break;
      case "union":
        ctors = t.variants.map((v) => {
          const c = `${name}.${sym(String(v.tag))}`;
          return `(${c}${v.fields.map((f) => ` ${field(c, f)}`).join("")})`;
        });
        break;
      default:
        throw new Error(`no datatype for ${t.kind}`);
    }
    return `(declare-datatypes ((${name} 0)) ((${ctors.join(" ")})))`;
  }

  private declarations(): string[] {
    const out: string[] = [];
    const roots = [...new Set(this.spec.sorts.map(rootSort))];
    if (!this.bounded) for (const r of roots) out.push(`(declare-sort ${sym(r)} 0)`);
    for (const t of this.valueTypes()) out.push(this.datatype(t));
    const facts = [...this.subsortDecls(), ...this.rigidDecls()];
    // Literals of a sort are distinct elements; an element's number is meaningful only through them.
    for (const [root, ns] of this.literals) {
      const names = [...ns].sort((a, b) => a - b).map((n) => `${sym(root)}!${n}`);
      for (const n of names) out.push(`(declare-const ${n} ${sym(root)})`);
      if (names.length > 1) out.push(`(assert (distinct ${names.join(" ")}))`);
    }
    out.push(...facts);
    return out;
  }

  private subsortDecls(): string[] {
    const out: string[] = [];
    for (const s of this.spec.sorts) {
      if (s.parent === undefined) continue;
      const name = `${sym(s.name)}?`;
      const parent = this.sortOf(s);
      if (this.options.instance !== undefined) {
        const members = this.options.instance.members[s.name]!;
        const body = members.length === 0 ? "false" : members.length === 1 ? `(= x ${members[0]})` : `(or ${members.map((m) => `(= x ${m})`).join(" ")})`;
        out.push(`(define-fun ${name} ((x ${parent})) Bool ${body})`);
      } else {
        out.push(`(declare-fun ${name} (${parent}) Bool)`);
      }
    }
    return out;
  }

  /** Rigid facts: an instance's tables, or uninterpreted functions constrained by their result types. */
  private rigidDecls(): string[] {
    const out: string[] = [];
    const inst = this.options.instance;
    for (const r of this.spec.rigids) {
      const name = sym(r.name);
      const result = this.typeOf(r.result);
      const params = r.args.map((s, i) => `(x${i} ${this.sortOf(s)})`).join(" ");
      if (inst !== undefined) {
        const fn = inst.rigids[r.name]!;
        if (r.args.length > 1) throw new Error(`${r.name}: only rigid facts of at most one argument have instance tables`);
        const value = (args: number[]) => this.valueTerm(r.result, fn(...args) as never);
        let body: string;
        if (r.args.length === 0) body = value([]);
        else {
          const n = rangeOf(inst, r.args[0]!);
          body = value([n - 1]);
          for (let i = n - 2; i >= 0; i--) body = `(ite (= x0 ${i}) ${value([i])} ${body})`;
        }
        out.push(`(define-fun ${name} (${params}) ${result} ${body})`);
        continue;
      }
      out.push(r.args.length === 0 ? `(declare-const ${name} ${result})` : `(declare-fun ${name} (${r.args.map((s) => this.sortOf(s)).join(" ")}) ${result})`);
      const typed = this.wellTyped(r.result, r.args.length === 0 ? name : `(${name} ${r.args.map((_, i) => `x${i}`).join(" ")})`);
      if (typed === "true") continue;
      out.push(`(assert ${r.args.length === 0 ? typed : this.quantify("forall", r.args, (xs) => this.wellTyped(r.result, `(${name} ${xs.join(" ")})`))})`);
    }
    return out;
  }

  /** A term holds a value of its declared type: subsort members, and in range when bounded. */
  wellTyped(t: Type, x: string): string {
    switch (t.kind) {
      case "bool":
      case "enum":
        return "true";
      case "sort":
        return this.member(t, x);
      case "option": {
        const m = this.member(t.of, `(Option.${sym(rootSort(t.of))}.value ${x})`);
        return m === "true" ? "true" : `(or ((_ is Option.${sym(rootSort(t.of))}.none) ${x}) ${m})`;
      }
      case "record":
        return this.andAll(t.fields.map((f) => this.wellTyped(f.type, `(${this.typeOf(t)}.${sym(f.name)} ${x})`)));
      case "union":
        return this.andAll(
          t.variants.map((v) => {
            const c = `${this.typeOf(t)}.${sym(String(v.tag))}`;
            const fields = this.andAll(v.fields.map((f) => this.wellTyped(f.type, `(${c}.${sym(f.name)} ${x})`)));
            return fields === "true" ? "true" : `(=> ((_ is ${c}) ${x}) ${fields})`;
          }),
        );
      case "set":
        throw new Error("wellTyped of a set");
    }
  }

  andAll(xs: readonly string[]): string {
    const kept = xs.filter((x) => x !== "true");
    if (kept.includes("false")) return "false";
    return kept.length === 0 ? "true" : kept.length === 1 ? kept[0]! : `(and ${kept.join(" ")})`;
  }

  /**
   * \A or \E over the members of `sorts`: written out element by element
   * when bounded and every sort is small, else a quantifier guarded by
   * membership.
   */
  quantify(q: "forall" | "exists", sorts: readonly Sort[], body: (xs: readonly string[]) => string, hint = "x"): string {
    const limit = this.options.expandUpTo ?? 8;
    if (this.bounded && sorts.every((s) => this.sizeOf(s) <= limit)) {
      const inst = this.options.instance;
      const elements = (s: Sort): number[] => {
        const all = Array.from({ length: this.sizeOf(s) }, (_, i) => i);
        return s.parent === undefined || inst === undefined ? all : all.filter((i) => inst.members[s.name]!.includes(i));
      };
      let tuples: number[][] = [[]];
      for (const s of sorts) tuples = tuples.flatMap((t) => elements(s).map((e) => [...t, e]));
      const guard = (t: readonly number[]) => (inst === undefined ? this.andAll(sorts.map((s, i) => (s.parent === undefined ? "true" : this.member(s, String(t[i]))))) : "true");
      const parts = tuples.map((t) => {
        const b = body(t.map(String));
        const g = guard(t);
        return q === "forall" ? this.implies(g, b) : this.andAll([g, b]);
      });
      return q === "forall" ? this.andAll(parts) : this.orAll(parts);
    }
    const xs = sorts.map(() => this.fresh(hint));
    const m = this.andAll(sorts.map((s, i) => this.member(s, xs[i]!)));
    const b = body(xs);
    const guarded = q === "forall" ? this.implies(m, b) : this.andAll([m, b]);
    return `(${q} (${xs.map((x, i) => `(${x} ${this.sortOf(sorts[i]!)})`).join(" ")}) ${guarded})`;
  }

  implies(a: string, b: string): string {
    if (b === "true" || a === "false") return "true";
    return a === "true" ? b : `(=> ${a} ${b})`;
  }

  orAll(xs: readonly string[]): string {
    const kept = xs.filter((x) => x !== "false");
    if (kept.includes("true")) return "true";
    return kept.length === 0 ? "false" : kept.length === 1 ? kept[0]! : `(or ${kept.join(" ")})`;
  }

  // --- the state and the definitions ------------------------------------------------

  /** The state's arrays as define-fun parameters, named after the variables. */
  stateArgs(): string {
    return this.spec.variables.map((v) => `(${this.stateName(v.name)} ${this.varSort(v)})`).join(" ");
  }

  stateName(variable: string): string {
    return `v.${sym(variable)}`;
  }

  private stateEnv(names: ReadonlyMap<string, string> = new Map()): Env {
    return { names, state: new Map(this.spec.variables.map((v) => [v.name, this.stateName(v.name)])) };
  }

  paramName(p: string): string {
    return `p.${sym(p)}`;
  }

  private defineFun(name: string, args: string, result: string, body: string): void {
    this.defs.push(`(define-fun ${name} (${args}) ${result}\n  ${body})`);
  }

  /** TypeOK (every stored value of its declared type) and Init (each variable's initial array). */
  private defineStatePredicates(): void {
    const typed: string[] = [];
    for (const v of this.spec.variables) {
      const sorts = this.indexSorts(v);
      const at = (xs: readonly string[]) => (xs.length === 0 ? this.stateName(v.name) : `(select ${this.stateName(v.name)} ${xs.join(" ")})`);
      const set = v.type.kind === "set" ? v.type : null;
      const body = (xs: readonly string[]) => (set !== null ? this.implies(at(xs), this.member(set.of, xs[xs.length - 1]!)) : this.wellTyped(v.type, at(xs)));
      if (body(sorts.map((_, i) => `i${i}`)) === "true") continue;
      // Over the members of the index sorts (a set's element ranges over its parent sort).
      typed.push(sorts.length === 0 ? body([]) : this.quantify("forall", sorts.map((x, i) => (set !== null && i === sorts.length - 1 ? rootOf(x) : x)), body));
    }
    // An entry at a non-member of a subsort index (pending of a thread that is no pager) keeps its initial value.
    for (const v of this.spec.variables) {
      const sorts = this.indexSorts(v);
      v.index.forEach((s, k) => {
        if (s.parent === undefined) return;
        const domain = sorts.map((x, i) => (i === k ? rootOf(x) : x));
        typed.push(
          this.quantify("forall", domain, (xs) =>
            this.implies(`(not ${this.member(s, xs[k]!)})`, `(= (select ${this.stateName(v.name)} ${xs.join(" ")}) (select Init.${sym(v.name)} ${xs.join(" ")}))`),
          ),
        );
      });
    }
    for (const v of this.spec.variables) this.defineFun(`Init.${sym(v.name)}`, "", this.varSort(v), this.initial(v));
    this.defineFun(TYPE_OK, this.stateArgs(), "Bool", this.andAll(typed));
  }

  private initial(v: Variable): string {
    const vars = v.index.map((_, i) => `i${i}`);
    const value = v.type.kind === "set" ? "false" : this.expr(v.init(v.index.map((s, i) => boundExpr(s, vars[i]!))), { names: new Map(vars.map((x) => [x, x])), state: new Map() });
    const sorts = this.indexSorts(v);
    if (sorts.length === 0) return value;
    const all = sorts.map((s, i) => `(i${i} ${this.sortOf(s)})`).join(" ");
    return `(lambda (${all}) ${value})`;
  }

  /** The parameters of an action as define-fun parameters. */
  paramArgs(a: Action): string {
    return a.params.map((p) => `(${this.paramName(p.name)} ${this.typeOf(p.type)})`).join(" ");
  }

  private defineAction(a: Action): void {
    const args = [this.stateArgs(), this.paramArgs(a)].filter((x) => x !== "").join(" ");
    const names = new Map(a.params.map((p) => [p.name, this.paramName(p.name)]));
    const env = this.stateEnv(names);
    const typed = this.andAll(a.params.map((p) => this.wellTyped(p.type, this.paramName(p.name))));
    this.defineFun(`${sym(a.name)}.params`, this.paramArgs(a), "Bool", typed);
    this.defineFun(`${sym(a.name)}.guard`, args, "Bool", this.andAll(a.guard.map((g) => this.expr(g, env))));
    const after = this.exec(a.effect, env);
    for (const v of this.spec.variables) this.defineFun(`${sym(a.name)}.next.${sym(v.name)}`, args, this.varSort(v), after.get(v.name)!);
  }

  /** The variables an action's effect may change. */
  written(a: Action): Set<string> {
    const out = new Set<string>();
    const visit = (s: Stmt): void => {
      if (s.op === "if") [...s.then, ...s.else].forEach(visit);
      else if (s.op === "forEach") s.body.forEach(visit);
      else out.add(writeOf(s).variable);
    };
    a.effect.forEach(visit);
    return out;
  }

  // --- statements -------------------------------------------------------------------

  private exec(stmts: readonly Stmt[], env: Env): Map<string, string> {
    let state = new Map(env.state);
    for (const s of stmts) state = this.stmt(s, { names: env.names, state });
    return state;
  }

  private stmt(s: Stmt, env: Env): Map<string, string> {
    const state = new Map(env.state);
    switch (s.op) {
      case "assign": {
        const { variable, at } = writeOf(s);
        const idx = at.map((i) => this.expr(i, env));
        const old = state.get(variable)!;
        const element = idx.length === 0 ? old : `(select ${old} ${idx.join(" ")})`;
        const value = this.updateField(s.target, element, this.expr(s.value, env));
        state.set(variable, idx.length === 0 ? value : `(store ${old} ${idx.join(" ")} ${value})`);
        return state;
      }
      case "include":
      case "exclude": {
        const { variable, at } = writeOf(s);
        const idx = at.map((i) => this.expr(i, env));
        state.set(variable, `(store ${state.get(variable)!} ${idx.join(" ")} ${s.op === "include"})`);
        return state;
      }
      case "if": {
        const c = this.expr(s.cond, env);
        const a = this.exec(s.then, env);
        const b = this.exec(s.else, env);
        for (const [k, v] of a) if (v !== b.get(k)) state.set(k, `(ite ${c} ${v} ${b.get(k)!})`);
        return state;
      }
      case "forEach":
        return this.forEach(s, env);
    }
  }

  /**
   * The value of `target`'s root location with `target`'s record-field path
   * replaced by `value` (`element` is the root location's current value).
   */
  private updateField(target: Expr, element: string, value: string): string {
    const n = target.node;
    if (n.op === "read") return value;
    if (n.op !== "field" || n.of.type.kind !== "record") throw new Error("assignment target is not a location");
    const t = n.of.type;
    const inner = this.locationValue(n.of, element);
    const rebuilt = this.construct(
      `${this.typeOf(t)}.mk`,
      t.fields.map((f) => (f.name === n.name ? value : `(${this.typeOf(t)}.${sym(f.name)} ${inner})`)),
    );
    return this.updateField(n.of, element, rebuilt);
  }

  /** The current value of a location expression, given its root element's value. */
  private locationValue(e: Expr, element: string): string {
    const n = e.node;
    if (n.op === "read") return element;
    if (n.op === "field" && n.of.type.kind === "record") return `(${this.typeOf(n.of.type)}.${sym(n.name)} ${this.locationValue(n.of, element)})`;
    throw new Error("not a location");
  }

  /**
   * forEach as one array update per variable its body writes: at a location
   * whose element-indexed position holds x with where(x) (on the state before
   * the loop), the body's value for x; elsewhere the old value. Exact because
   * the bodies write disjoint locations (ast.ts checks it) and, checked here,
   * read the variables they write only at their own element's locations.
   */
  private forEach(s: Extract<Stmt, { op: "forEach" }>, env: Env): Map<string, string> {
    const state = new Map(env.state);
    const writes = new Map<string, number>();
    const isX = (e: Expr) => e.node.op === "bound" && e.node.name === s.bound;
    const visitWrites = (st: Stmt): void => {
      if (st.op === "if") return [...st.then, ...st.else].forEach(visitWrites);
      if (st.op === "forEach") throw new Error("nested forEach");
      const w = writeOf(st);
      const positions = w.at.flatMap((e, i) => (isX(e) ? [i] : []));
      const known = writes.get(w.variable);
      const pos = known !== undefined && positions.includes(known) ? known : positions[0];
      if (pos === undefined) throw new Error(`forEach: a write of ${w.variable} is not indexed by the element`);
      if (known !== undefined && known !== pos) throw new Error(`forEach: ${w.variable} is written at different element positions`);
      writes.set(w.variable, pos);
    };
    s.body.forEach(visitWrites);
    for (const st of s.body) checkOwnReads(st, writes, isX);
    for (const [variable, pos] of writes) {
      const v = this.spec.variables.find((x) => x.name === variable)!;
      const sorts = this.indexSorts(v);
      const vars = sorts.map(() => this.fresh("i"));
      const x = vars[pos]!;
      const inner: Env = { names: new Map([...env.names, [s.bound, x]]), state: env.state };
      const body = this.exec(s.body, inner).get(variable)!;
      const chosen = this.andAll([this.member(s.sort, x), this.expr(s.where, inner)]);
      const at = vars.join(" ");
      const lambda = `(lambda (${vars.map((y, i) => `(${y} ${this.sortOf(sorts[i]!)})`).join(" ")}) (ite ${chosen} (select ${body} ${at}) (select ${env.state.get(variable)!} ${at})))`;
      state.set(variable, lambda);
    }
    return state;
  }

  private fresh(hint: string): string {
    return `${hint}!${++this.counter}`;
  }

  // --- expressions ------------------------------------------------------------------

  expr(e: Expr, env: Env): string {
    const n = e.node;
    switch (n.op) {
      case "lit":
        return this.valueTerm(e.type, n.value as never);
      case "param":
      case "bound": {
        const t = env.names.get(n.name);
        if (t === undefined) throw new Error(`unbound ${n.name}`);
        return t;
      }
      case "rigid":
        return n.args.length === 0 ? sym(n.fn) : `(${sym(n.fn)} ${n.args.map((a) => this.expr(a, env)).join(" ")})`;
      case "inSort":
        return this.member(n.sort, this.expr(n.arg, env));
      case "read": {
        if (e.type.kind === "set") throw new Error(`a set variable (${n.variable}) is read only through membership`);
        const v = env.state.get(n.variable);
        if (v === undefined) throw new Error(`${n.variable} read where the state is not in scope`);
        return n.index.length === 0 ? v : `(select ${v} ${n.index.map((i) => this.expr(i, env)).join(" ")})`;
      }
      case "field": {
        const t = n.of.type;
        const of = this.expr(n.of, env);
        if (t.kind === "record") return `(${this.typeOf(t)}.${sym(n.name)} ${of})`;
        if (t.kind !== "union") throw new Error("field of a non-record");
        let out = this.zero(e.type);
        for (const v of [...t.variants].reverse()) {
          if (!v.fields.some((f) => f.name === n.name)) continue;
          const c = `${this.typeOf(t)}.${sym(String(v.tag))}`;
          out = `(ite ((_ is ${c}) ${of}) (${c}.${sym(n.name)} ${of}) ${out})`;
        }
        return out;
      }
      case "isTag": {
        const t = n.of.type;
        if (t.kind !== "union") throw new Error("isTag of a non-union");
        return `((_ is ${this.typeOf(t)}.${sym(String(n.tag))}) ${this.expr(n.of, env)})`;
      }
      case "make": {
        const t = e.type;
        if (t.kind === "record") return this.construct(`${this.typeOf(t)}.mk`, t.fields.map((f) => this.expr(n.fields[f.name]!, env)));
        if (t.kind !== "union") throw new Error("make of a non-record");
        const v = t.variants.find((x) => x.tag === n.tag)!;
        return this.construct(`${this.typeOf(t)}.${sym(String(v.tag))}`, v.fields.map((f) => this.expr(n.fields[f.name]!, env)));
      }
      case "some":
        return `(${this.typeOf(e.type)}.some ${this.expr(n.of, env)})`;
      case "value":
        return `(${this.typeOf(n.of.type)}.value ${this.expr(n.of, env)})`;
      case "eq":
        if (n.a.type.kind === "set") throw new Error("equality of sets is not translated");
        return `(= ${this.expr(n.a, env)} ${this.expr(n.b, env)})`;
      case "not":
        return `(not ${this.expr(n.a, env)})`;
      case "and":
        return this.andAll(n.args.map((a) => this.expr(a, env)));
      case "or":
        return this.orAll(n.args.map((a) => this.expr(a, env)));
      case "ite":
        return `(ite ${this.expr(n.c, env)} ${this.expr(n.a, env)} ${this.expr(n.b, env)})`;
      case "emptySet":
        throw new Error("an empty set outside a variable's initial value");
      case "member": {
        const set = n.set.node;
        if (set.op !== "read") throw new Error("membership in a set that is not a variable's");
        const v = env.state.get(set.variable)!;
        return `(select ${v} ${[...set.index, n.elem].map((i) => this.expr(i, env)).join(" ")})`;
      }
      case "quant":
        return this.quantify(n.q, [n.sort], ([x]) => this.expr(n.body, { names: new Map([...env.names, [n.bound, x!]]), state: env.state }), sym(n.bound));
      case "wrap":
        return this.wrap(n.arg, n.sort, env);
      case "reach":
        return this.reach(n, env);
    }
  }

  private wrap(arg: Expr, s: Sort, env: Env): string {
    const a = this.expr(arg, env);
    if (this.bounded) return `(mod ${a} ${this.sizeOf(s)})`;
    const from = rootSort(arg.type as Sort);
    const name = `wrap.${sym(from)}.${sym(rootSort(s))}`;
    if (!this.extraDecls.some((d) => d.includes(` ${name} `))) {
      this.extraDecls.push(`(declare-fun ${name} (${sym(from)}) ${sym(rootSort(s))})`);
      // 0 mod n = 0 for every n: the one fact of `mod` that holds whatever the sizes.
      this.extraAxioms.push(`(assert (= (${name} ${this.literal(arg.type as Sort, 0)}) ${this.literal(s, 0)}))`);
    }
    return `(${name} ${a})`;
  }

  /**
   * D4's chain walk. Bounded: unrolled exactly as the interpreter walks it
   * (at most |sort| hops, stopping at none or at the target). Unbounded:
   * over-approximated by an uninterpreted predicate of the chain's ends, so
   * a proof holds whichever way the check decides.
   */
  private reach(n: Extract<Expr["node"], { op: "reach" }>, env: Env): string {
    const from = this.expr(n.from, env);
    const target = this.expr(n.target, env);
    if (!this.bounded) {
      const name = this.fresh("reach");
      const s = this.sortOf(n.sort);
      this.extraDecls.push(`(declare-fun ${name} (${s} ${s}) Bool) ; D4's wait cycle, over-approximated: either outcome`);
      return `(${name} ${from} ${target})`;
    }
    const opt = this.typeOf(n.step.type);
    const hops = Math.min(this.sizeOf(n.sort), this.options.reachHops ?? Number.POSITIVE_INFINITY);
    const walk = (current: string, h: number): string => {
      if (h === hops) return "false";
      const next = this.fresh("hop");
      const step = this.expr(n.step, { names: new Map([...env.names, [n.bound, current]]), state: env.state });
      const value = `(${opt}.value ${next})`;
      return `(let ((${next} ${step})) (ite ((_ is ${opt}.none) ${next}) false (ite (= ${value} ${target}) true ${walk(value, h + 1)})))`;
    };
    return walk(from, 0);
  }

  // --- values in object form ---------------------------------------------------------

  /** An object-form value (the interpreter's) as a term. */
  valueTerm(t: Type, value: unknown): string {
    switch (t.kind) {
      case "bool":
        return value === true ? "true" : "false";
      case "enum":
        return `${this.typeOf(t)}.${sym(value as string)}`;
      case "sort":
        return this.literal(t, value as number);
      case "option":
        return value === null ? `Option.${sym(rootSort(t.of))}.none` : `(Option.${sym(rootSort(t.of))}.some ${this.literal(t.of, value as number)})`;
      case "record":
        return this.construct(`${this.typeOf(t)}.mk`, t.fields.map((f) => this.valueTerm(f.type, (value as Record<string, unknown>)[f.name])));
      case "union": {
        const obj = value as Record<string, unknown>;
        const v = t.variants.find((x) => x.tag === obj[t.tagField])!;
        return this.construct(`${this.typeOf(t)}.${sym(String(v.tag))}`, v.fields.map((f) => this.valueTerm(f.type, obj[f.name])));
      }
      case "set":
        throw new Error("a set value as a term");
    }
  }
}

/** A bound variable of a sort, named for a define-fun or lambda parameter. */
const boundExpr = (s: Sort, name: string): Expr => new Expr(s, { op: "bound", name });

/** The base sort of a subsort (its elements range over the parent). */
const rootOf = (s: Sort): Sort => (s.parent === undefined ? s : { kind: "sort", name: s.parent });

/** The variable and index (a set's element last) a write statement changes. */
function writeOf(s: Stmt): Access {
  if (s.op === "include" || s.op === "exclude") {
    const r = s.set.node;
    if (r.op !== "read") throw new Error("include into a non-variable");
    return { variable: r.variable, at: [...r.index, s.elem] };
  }
  if (s.op !== "assign") throw new Error(`${s.op} is not a write`);
  let e = s.target;
  while (e.node.op === "field") e = e.node.of;
  const r = e.node;
  if (r.op !== "read") throw new Error("assignment to a non-location");
  return { variable: r.variable, at: r.index };
}

/** Every read of a variable the loop writes must be at the element's own position (so the bodies commute). */
function checkOwnReads(s: Stmt, writes: ReadonlyMap<string, number>, isX: (e: Expr) => boolean): void {
  const visit = (e: Expr): void => {
    const n = e.node;
    const check = (variable: string, at: readonly Expr[]) => {
      const pos = writes.get(variable);
      if (pos !== undefined && !(at[pos] !== undefined && isX(at[pos]!))) throw new Error(`forEach: the body reads ${variable} at another element's location`);
    };
    if (n.op === "read" && e.type.kind !== "set") check(n.variable, n.index);
    if (n.op === "member" && n.set.node.op === "read") {
      check(n.set.node.variable, [...n.set.node.index, n.elem]);
      n.set.node.index.forEach(visit);
      visit(n.elem);
      return;
    }
    children(n).forEach(visit);
  };
  switch (s.op) {
    case "assign": {
      visit(s.value);
      let t = s.target;
      while (t.node.op === "field") t = t.node.of;
      if (t.node.op === "read") t.node.index.forEach(visit);
      return;
    }
    case "include":
    case "exclude":
      if (s.set.node.op === "read") s.set.node.index.forEach(visit);
      visit(s.elem);
      return;
    case "if":
      visit(s.cond);
      [...s.then, ...s.else].forEach((x) => checkOwnReads(x, writes, isX));
      return;
    case "forEach":
      throw new Error("nested forEach");
  }
}
