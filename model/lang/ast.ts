/**
 * Expressions and statements of the specification language, as plain trees
 * every back end walks (the interpreter, the compiled fast path, Promela,
 * SMT), with a typed builder so that a spec reads like TLA+:
 *
 *   status.at(t).is("running").and(regionTable.at(task, r).get("manager").ne(some(m)))
 *
 * Types are checked when a tree is built: a spec that mixes sorts or names a
 * missing field fails when it is defined, not when a back end meets it.
 */
import {
  Bool,
  type Field,
  type Sort,
  type Type,
  type UnionType,
  describeType,
  fieldOf,
  rootSort,
  sameType,
} from "./types.js";

/** A literal: a boolean, an enum value, a sort element (its index), or null (an option's none). */
export type Literal = boolean | string | number | null;

export type Node =
  | { readonly op: "lit"; readonly value: Literal }
  | { readonly op: "param"; readonly name: string }
  | { readonly op: "bound"; readonly name: string }
  | { readonly op: "rigid"; readonly fn: string; readonly args: readonly Expr[] }
  | { readonly op: "inSort"; readonly sort: Sort; readonly arg: Expr }
  | { readonly op: "read"; readonly variable: string; readonly index: readonly Expr[] }
  | { readonly op: "field"; readonly of: Expr; readonly name: string }
  | { readonly op: "isTag"; readonly of: Expr; readonly tag: string | boolean }
  | { readonly op: "make"; readonly tag: string | boolean | null; readonly fields: Readonly<Record<string, Expr>> }
  | { readonly op: "some"; readonly of: Expr }
  | { readonly op: "value"; readonly of: Expr }
  | { readonly op: "eq"; readonly a: Expr; readonly b: Expr }
  | { readonly op: "not"; readonly a: Expr }
  | { readonly op: "and" | "or"; readonly args: readonly Expr[] }
  | { readonly op: "ite"; readonly c: Expr; readonly a: Expr; readonly b: Expr }
  | { readonly op: "member"; readonly set: Expr; readonly elem: Expr }
  | { readonly op: "emptySet" }
  | { readonly op: "quant"; readonly q: "forall" | "exists"; readonly sort: Sort; readonly bound: string; readonly body: Expr }
  /** (arg mod |sort|): formula (1) without its bounds check, for a seeded bug only. */
  | { readonly op: "wrap"; readonly arg: Expr; readonly sort: Sort }
  /**
   * Does `target` lie on the chain from `from` that `step` follows (step(u):
   * some next element, or none to stop), within |sort| hops? The one guard of
   * the design that is not first-order (decision D4's wait cycle).
   */
  | { readonly op: "reach"; readonly sort: Sort; readonly from: Expr; readonly target: Expr; readonly bound: string; readonly step: Expr };

let boundCounter = 0;
const freshBound = (hint: string): string => `${hint}${++boundCounter}`;

export class Expr {
  constructor(
    readonly type: Type,
    readonly node: Node,
  ) {}

  // --- comparisons and connectives ---
  eq(other: Expr | Literal): Expr {
    const b = coerce(other, this.type);
    if (!sameType(this.type, b.type)) throw new Error(`= of ${describeType(this.type)} and ${describeType(b.type)}`);
    return new Expr(Bool, { op: "eq", a: this, b });
  }
  ne(other: Expr | Literal): Expr {
    return this.eq(other).not();
  }
  not(): Expr {
    expectBool(this, "not");
    return new Expr(Bool, { op: "not", a: this });
  }
  and(...others: (Expr | boolean)[]): Expr {
    return and(this, ...others);
  }
  or(...others: (Expr | boolean)[]): Expr {
    return or(this, ...others);
  }
  implies(other: Expr | boolean): Expr {
    return or(this.not(), other);
  }

  // --- records, unions, options, sets ---
  /** A record field, or a field of the union's active variant (a field of another variant reads as its type's zero value). */
  get(name: string): Expr {
    const t = this.type;
    if (t.kind === "record") return new Expr(fieldOf(t.fields, name, t.name).type, { op: "field", of: this, name });
    if (t.kind === "union") return new Expr(unionField(t, name).type, { op: "field", of: this, name });
    throw new Error(`.${name} of ${describeType(t)}`);
  }
  /** Is this union value of the variant tagged `tag`? */
  is(tag: string | boolean): Expr {
    const t = this.type;
    if (t.kind !== "union" || !t.variants.some((v) => v.tag === tag)) throw new Error(`${describeType(t)} has no variant ${String(tag)}`);
    return new Expr(Bool, { op: "isTag", of: this, tag });
  }
  isNone(): Expr {
    if (this.type.kind !== "option") throw new Error(`isNone of ${describeType(this.type)}`);
    return this.eq(null);
  }
  /** The element of some(x); only meaningful where isNone() is false. */
  value(): Expr {
    if (this.type.kind !== "option") throw new Error(`value of ${describeType(this.type)}`);
    return new Expr(this.type.of, { op: "value", of: this });
  }
  has(elem: Expr | number): Expr {
    if (this.type.kind !== "set") throw new Error(`membership in ${describeType(this.type)}`);
    const e = coerce(elem, this.type.of);
    return new Expr(Bool, { op: "member", set: this, elem: e });
  }
  /** Whether this element of a base sort belongs to subsort `sub` (e.g. is a pager). */
  in(sub: Sort): Expr {
    if (this.type.kind !== "sort" || rootSort(this.type) !== rootSort(sub)) throw new Error(`${describeType(this.type)} in ${sub.name}`);
    return new Expr(Bool, { op: "inSort", sort: sub, arg: this });
  }
}

/** The fields of a union, each name with one type across the variants that have it. */
export function unionField(t: UnionType, name: string): Field {
  for (const v of t.variants) {
    const f = v.fields.find((x) => x.name === name);
    if (f) return f;
  }
  return fieldOf([], name, t.name);
}

function expectBool(e: Expr, what: string): void {
  if (e.type.kind !== "bool") throw new Error(`${what} of ${describeType(e.type)}`);
}

/** A JavaScript literal as an expression of the type it is compared with or stored into. */
export function coerce(value: Expr | Literal, type: Type): Expr {
  if (value instanceof Expr) return value;
  return lit(value, type);
}

export function lit(value: Literal, type: Type): Expr {
  const ok =
    (type.kind === "bool" && typeof value === "boolean") ||
    (type.kind === "enum" && typeof value === "string" && type.values.includes(value)) ||
    (type.kind === "sort" && typeof value === "number" && Number.isInteger(value) && value >= 0) ||
    (type.kind === "option" && value === null);
  if (!ok) throw new Error(`${JSON.stringify(value)} is not a literal of ${describeType(type)}`);
  return new Expr(type, { op: "lit", value });
}

export const TRUE = new Expr(Bool, { op: "lit", value: true });
export const FALSE = new Expr(Bool, { op: "lit", value: false });

const asBool = (e: Expr | boolean): Expr => (typeof e === "boolean" ? (e ? TRUE : FALSE) : (expectBool(e, "a connective"), e));

export function and(...args: (Expr | boolean)[]): Expr {
  const xs = args.map(asBool).flatMap((e) => (e.node.op === "and" ? e.node.args : [e])).filter((e) => e !== TRUE);
  if (xs.length === 0) return TRUE;
  if (xs.length === 1) return xs[0]!;
  return new Expr(Bool, { op: "and", args: xs });
}

export function or(...args: (Expr | boolean)[]): Expr {
  const xs = args.map(asBool).flatMap((e) => (e.node.op === "or" ? e.node.args : [e])).filter((e) => e !== FALSE);
  if (xs.length === 0) return FALSE;
  if (xs.length === 1) return xs[0]!;
  return new Expr(Bool, { op: "or", args: xs });
}

export const not = (e: Expr): Expr => e.not();

export function ite(c: Expr, a: Expr | Literal, b: Expr | Literal): Expr {
  expectBool(c, "IF");
  const type = a instanceof Expr ? a.type : b instanceof Expr ? b.type : null;
  if (type === null) throw new Error("IF with two literals: give one branch as an expression");
  const ea = coerce(a, type);
  const eb = coerce(b, type);
  if (!sameType(ea.type, eb.type)) throw new Error(`IF of ${describeType(ea.type)} and ${describeType(eb.type)}`);
  return new Expr(type, { op: "ite", c, a: ea, b: eb });
}

export const some = (x: Expr): Expr => {
  if (x.type.kind !== "sort") throw new Error(`some of ${describeType(x.type)}`);
  return new Expr({ kind: "option", of: x.type }, { op: "some", of: x });
};

export const emptySet = (of: Sort): Expr => new Expr({ kind: "set", of }, { op: "emptySet" });

export const none = (of: Sort): Expr => new Expr({ kind: "option", of }, { op: "lit", value: null });

/** A record value, or a union value of the variant `tag`, from its fields (each an expression or a literal). */
export function make(type: Type, fields: Readonly<Record<string, Expr | Literal>>, tag: string | boolean | null = null): Expr {
  let declared: readonly Field[];
  if (type.kind === "record" && tag === null) declared = type.fields;
  else if (type.kind === "union" && tag !== null) {
    const v = type.variants.find((x) => x.tag === tag);
    if (v === undefined) throw new Error(`${type.name} has no variant ${String(tag)}`);
    declared = v.fields;
  } else throw new Error(`cannot make a ${describeType(type)}${tag === null ? "" : ` tagged ${String(tag)}`}`);
  const given = Object.keys(fields);
  const missing = declared.filter((f) => !given.includes(f.name)).map((f) => f.name);
  const extra = given.filter((g) => !declared.some((f) => f.name === g));
  if (missing.length + extra.length > 0) throw new Error(`${describeType(type)}: missing ${missing.join(",") || "-"}, unknown ${extra.join(",") || "-"}`);
  const built: Record<string, Expr> = {};
  for (const f of declared) {
    const e = coerce(fields[f.name]!, f.type);
    if (!sameType(e.type, f.type)) throw new Error(`${describeType(type)}.${f.name}: ${describeType(e.type)} given, ${describeType(f.type)} expected`);
    built[f.name] = e;
  }
  return new Expr(type, { op: "make", tag, fields: built });
}

export function quantifier(q: "forall" | "exists", sort: Sort, body: (x: Expr) => Expr): Expr {
  const name = freshBound(sort.name.toLowerCase());
  const b = body(new Expr(sort, { op: "bound", name }));
  expectBool(b, q);
  return new Expr(Bool, { op: "quant", q, sort, bound: name, body: b });
}

/** \A x \in sort : body(x) (over a subsort, only its members). */
export const forall = (sort: Sort, body: (x: Expr) => Expr): Expr => quantifier("forall", sort, body);
/** \E x \in sort : body(x). */
export const exists = (sort: Sort, body: (x: Expr) => Expr): Expr => quantifier("exists", sort, body);

export function wrap(arg: Expr, sort: Sort): Expr {
  if (arg.type.kind !== "sort") throw new Error(`wrap of ${describeType(arg.type)}`);
  return new Expr(sort, { op: "wrap", arg, sort });
}

export function reach(sort: Sort, from: Expr, target: Expr, step: (u: Expr) => Expr): Expr {
  const name = freshBound("hop");
  const s = step(new Expr(sort, { op: "bound", name }));
  if (s.type.kind !== "option" || rootSort(s.type.of) !== rootSort(sort)) throw new Error(`reach: step must give an Option(${sort.name})`);
  return new Expr(Bool, { op: "reach", sort, from, target, bound: name, step: s });
}

// --- statements -----------------------------------------------------------------

export type Stmt =
  /** target: a state location (a read, or a record field of one); every back end writes just that part. */
  | { readonly op: "assign"; readonly target: Expr; readonly value: Expr }
  | { readonly op: "include" | "exclude"; readonly set: Expr; readonly elem: Expr }
  | { readonly op: "if"; readonly cond: Expr; readonly then: readonly Stmt[]; readonly else: readonly Stmt[] }
  /**
   * For every element x of `sort` with where(x), the body — as if at once:
   * each write of the body must be to a location indexed by x itself, so no
   * two elements' bodies touch the same location, and the SMT back end can
   * write the whole loop as one array update.
   */
  | { readonly op: "forEach"; readonly sort: Sort; readonly bound: string; readonly where: Expr; readonly body: readonly Stmt[] };

/** Is `e` a location: a state variable's element, or a record field of one? */
function isLocation(e: Expr): boolean {
  if (e.node.op === "read") return true;
  return e.node.op === "field" && e.node.of.type.kind === "record" && isLocation(e.node.of);
}

export function assign(target: Expr, value: Expr | Literal): Stmt {
  if (!isLocation(target)) throw new Error("assignment to something that is not a state location (or a record field of one)");
  const v = coerce(value, target.type);
  if (!sameType(v.type, target.type)) throw new Error(`:= of ${describeType(v.type)} to ${describeType(target.type)}`);
  return { op: "assign", target, value: v };
}

export function include(set: Expr, elem: Expr | number): Stmt {
  if (set.type.kind !== "set" || set.node.op !== "read") throw new Error("include into something that is not a set variable");
  return { op: "include", set, elem: coerce(elem, set.type.of) };
}

export function exclude(set: Expr, elem: Expr | number): Stmt {
  if (set.type.kind !== "set" || set.node.op !== "read") throw new Error("exclude from something that is not a set variable");
  return { op: "exclude", set, elem: coerce(elem, set.type.of) };
}

export function when(cond: Expr, then: readonly Stmt[], otherwise: readonly Stmt[] = []): Stmt {
  expectBool(cond, "IF");
  return { op: "if", cond, then, else: otherwise };
}

export function forEach(sort: Sort, where: (x: Expr) => Expr, body: (x: Expr) => readonly Stmt[]): Stmt {
  const name = freshBound(sort.name.toLowerCase());
  const x = new Expr(sort, { op: "bound", name });
  const stmt: Stmt = { op: "forEach", sort, bound: name, where: where(x), body: body(x) };
  for (const s of stmt.body) checkIndexedBy(s, name);
  return stmt;
}

/** Each write inside a forEach must be to a location that x itself indexes (see Stmt's forEach). */
function checkIndexedBy(s: Stmt, bound: string): void {
  const isX = (e: Expr) => e.node.op === "bound" && e.node.name === bound;
  const readOf = (e: Expr): Expr => (e.node.op === "field" ? readOf(e.node.of) : e);
  switch (s.op) {
    case "assign": {
      const r = readOf(s.target).node;
      if (r.op !== "read" || !r.index.some(isX)) throw new Error("a forEach body writes a location that its element does not index");
      return;
    }
    case "include":
    case "exclude": {
      const r = s.set.node;
      if (r.op !== "read" || !(r.index.some(isX) || isX(s.elem))) throw new Error("a forEach body changes a set that its element does not index");
      return;
    }
    case "if":
      for (const x of [...s.then, ...s.else]) checkIndexedBy(x, bound);
      return;
    case "forEach":
      throw new Error("nested forEach");
  }
}

// --- walking trees --------------------------------------------------------------

/** The direct subexpressions of a node. */
export function children(n: Node): Expr[] {
  switch (n.op) {
    case "lit":
    case "param":
    case "bound":
    case "emptySet":
      return [];
    case "rigid":
      return [...n.args];
    case "inSort":
      return [n.arg];
    case "read":
      return [...n.index];
    case "field":
    case "isTag":
    case "some":
    case "value":
      return [n.of];
    case "make":
      return Object.values(n.fields);
    case "eq":
      return [n.a, n.b];
    case "not":
      return [n.a];
    case "and":
    case "or":
      return [...n.args];
    case "ite":
      return [n.c, n.a, n.b];
    case "member":
      return [n.set, n.elem];
    case "quant":
      return [n.body];
    case "wrap":
      return [n.arg];
    case "reach":
      return [n.from, n.target, n.step];
  }
}

/** The parameters and bound variables an expression mentions (free or not). */
export function namesIn(e: Expr, into: Set<string> = new Set()): Set<string> {
  const n = e.node;
  if (n.op === "param" || n.op === "bound") into.add(n.name);
  for (const c of children(n)) namesIn(c, into);
  return into;
}

/** Does the expression read the state (as opposed to parameters, literals and rigid facts only)? */
export function readsState(e: Expr): boolean {
  return e.node.op === "read" || children(e.node).some(readsState);
}
