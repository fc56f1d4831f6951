/**
 * Values between z3's printed answers and the object form of the
 * interpreter, for the bounded encoding (a sort element is its number):
 * an s-expression reader, a printed value read back by its type, and the
 * get-value queries that read a whole state, an action's parameters and the
 * rigid facts of an instance out of a model.
 */
import type { Action, Instance, Spec, Value, Variable } from "./spec.js";
import type { SmtEncoding } from "./smt.js";
import type { Type } from "./types.js";

export type SExpr = string | readonly SExpr[];

/** Reads every s-expression in a text (z3's answers: sat/unsat, get-value lists, errors). */
export function parseSExprs(text: string): SExpr[] {
  const tokens = text.match(/\|[^|]*\||"(?:[^"]|"")*"|[()]|[^\s()|"]+/g) ?? [];
  const out: SExpr[] = [];
  const stack: SExpr[][] = [];
  for (const token of tokens) {
    if (token === "(") stack.push([]);
    else if (token === ")") {
      const done = stack.pop();
      if (done === undefined) throw new Error("unbalanced ) in z3's answer");
      (stack.length === 0 ? out : stack[stack.length - 1]!).push(done);
    } else (stack.length === 0 ? out : stack[stack.length - 1]!).push(token.startsWith("|") ? token.slice(1, -1) : token);
  }
  if (stack.length > 0) throw new Error("unbalanced ( in z3's answer");
  return out;
}

/** `(as X T)` is X; anything else unchanged. */
const unwrapAs = (e: SExpr): SExpr => (Array.isArray(e) && e[0] === "as" ? e[1]! : e);

/** The head symbol and arguments of a constructor application (a nullary one is a bare symbol). */
function application(e: SExpr): { head: string; args: readonly SExpr[] } {
  const x = unwrapAs(e);
  if (typeof x === "string") return { head: x, args: [] };
  const [head, ...args] = x;
  if (typeof head !== "string") throw new Error(`not a constructor application: ${JSON.stringify(x)}`);
  return { head, args };
}

function integer(e: SExpr): number {
  const x = unwrapAs(e);
  if (typeof x === "string" && /^\d+$/.test(x)) return Number(x);
  if (Array.isArray(x) && x[0] === "-" && x.length === 2) return -integer(x[1]!);
  throw new Error(`not an integer: ${JSON.stringify(x)}`);
}

/** A printed value of type `t` in object form (bounded encoding: sort elements are integers). */
export function readValue(enc: SmtEncoding, t: Type, e: SExpr): Value {
  switch (t.kind) {
    case "bool":
      return unwrapAs(e) === "true";
    case "sort":
      return integer(e);
    case "enum": {
      const { head } = application(e);
      const found = t.values.find((v) => `${enc.typeOf(t)}.${enc.symbol(v)}` === head);
      if (found === undefined) throw new Error(`${head} is not a value of ${t.name}`);
      return found;
    }
    case "option": {
      const { head, args } = application(e);
      return head.endsWith(".none") ? null : integer(args[0]!);
    }
    case "record": {
      const { args } = application(e);
      return Object.fromEntries(t.fields.map((f, i) => [f.name, readValue(enc, f.type, args[i]!)]));
    }
    case "union": {
      const { head, args } = application(e);
      const v = t.variants.find((x) => `${enc.typeOf(t)}.${enc.symbol(String(x.tag))}` === head);
      if (v === undefined) throw new Error(`${head} is not a variant of ${t.name}`);
      return { [t.tagField]: v.tag, ...Object.fromEntries(v.fields.map((f, i) => [f.name, readValue(enc, f.type, args[i]!)])) };
    }
    case "set":
      throw new Error("a set is read element by element");
  }
}

/** Every index tuple of a variable in a bounded encoding (a set's elements last). */
export function indexTuples(sizes: readonly number[]): number[][] {
  let rows: number[][] = [[]];
  for (const n of sizes) rows = rows.flatMap((row) => Array.from({ length: n }, (_, i) => [...row, i]));
  return rows;
}

/**
 * A query (terms, in order) and the reader of its answer, so several can
 * share one get-value: `terms` are appended, `read` takes their values.
 */
export interface Reading<T> {
  readonly terms: readonly string[];
  readonly read: (values: readonly SExpr[]) => T;
}

/** The whole state held by the arrays `names(variable)` of a bounded model, in object form. */
export function stateReading(enc: SmtEncoding, sizes: Readonly<Record<string, number>>, name: (v: Variable) => string): Reading<Record<string, unknown>> {
  const spec = enc.spec;
  const plans = spec.variables.map((v) => {
    const dims = enc.indexSorts(v).map((s) => sizes[s.parent ?? s.name]!);
    const tuples = indexTuples(dims);
    const terms = tuples.map((t) => (t.length === 0 ? name(v) : `(select ${name(v)} ${t.join(" ")})`));
    return { v, dims, tuples, terms };
  });
  return {
    terms: plans.flatMap((p) => p.terms),
    read: (values) => {
      let at = 0;
      const state: Record<string, unknown> = {};
      for (const p of plans) {
        const got = values.slice(at, at + p.terms.length);
        at += p.terms.length;
        const isSet = p.v.type.kind === "set";
        const leaf = (i: number): unknown => (isSet ? unwrapAs(got[i]!) === "true" : readValue(enc, p.v.type, got[i]!));
        // Nest the flat values by index; a set's last index collects the members.
        const build = (depth: number, offset: number): unknown => {
          const levels = isSet ? p.dims.length - 1 : p.dims.length;
          if (depth === levels) {
            if (!isSet) return leaf(offset);
            const n = p.dims[depth]!;
            return Array.from({ length: n }, (_, e) => e).filter((e) => leaf(offset * n + e) === true);
          }
          return Array.from({ length: p.dims[depth]! }, (_, i) => build(depth + 1, offset * p.dims[depth]! + i));
        };
        state[p.v.name] = build(0, 0);
      }
      return state;
    },
  };
}

/** An action's parameters (constants `name(param)`) in object form. */
export function paramsReading(enc: SmtEncoding, a: Action, name: (param: string) => string): Reading<Record<string, Value>> {
  return {
    terms: a.params.map((p) => name(p.name)),
    read: (values) => Object.fromEntries(a.params.map((p, i) => [p.name, readValue(enc, p.type, values[i]!)])),
  };
}

/** The subsort members and rigid facts of a bounded model with symbolic facts, as an Instance. */
export function instanceReading(enc: SmtEncoding, sizes: Readonly<Record<string, number>>): Reading<Instance> {
  const spec: Spec = enc.spec;
  const subsorts = spec.sorts.filter((s) => s.parent !== undefined);
  const memberTerms = subsorts.map((s) => Array.from({ length: sizes[s.parent!]! }, (_, i) => `(${enc.symbol(s.name)}? ${i})`));
  const rigidPlans = spec.rigids.map((r) => {
    const tuples = indexTuples(r.args.map((s) => sizes[s.parent ?? s.name]!));
    return { r, tuples, terms: tuples.map((t) => (t.length === 0 ? enc.symbol(r.name) : `(${enc.symbol(r.name)} ${t.join(" ")})`)) };
  });
  return {
    terms: [...memberTerms.flat(), ...rigidPlans.flatMap((p) => p.terms)],
    read: (values) => {
      let at = 0;
      const members: Record<string, number[]> = {};
      subsorts.forEach((s, k) => {
        const n = memberTerms[k]!.length;
        members[s.name] = values.slice(at, at + n).flatMap((v, i) => (unwrapAs(v) === "true" ? [i] : []));
        at += n;
      });
      const rigids: Record<string, (...args: number[]) => never> = {};
      for (const p of rigidPlans) {
        const table = new Map(p.tuples.map((t, i) => [t.join(","), readValue(enc, p.r.result, values[at + i]!)]));
        at += p.terms.length;
        rigids[p.r.name] = ((...args: number[]) => table.get(args.join(","))) as never;
      }
      return { sizes: { ...sizes }, members, rigids } as Instance;
    },
  };
}

/** The get-value command for several readings, and the split of its answer among them. */
export function getValues(readings: readonly Reading<unknown>[]): { command: string; split: (answer: SExpr) => SExpr[][] } {
  const terms = readings.flatMap((r) => r.terms);
  return {
    command: terms.length === 0 ? "" : `(get-value (${terms.join(" ")}))`,
    split: (answer) => {
      const pairs = (Array.isArray(answer) ? answer : []) as readonly SExpr[];
      const values = pairs.map((p) => (p as readonly SExpr[])[1]!);
      let at = 0;
      return readings.map((r) => {
        const part = values.slice(at, at + r.terms.length);
        at += r.terms.length;
        return part;
      });
    },
  };
}

/** An object-form state as one term per variable (bounded encoding): a constant array with every element stored. */
export function stateTerms(enc: SmtEncoding, inst: Instance, state: Readonly<Record<string, unknown>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of enc.spec.variables) {
    const sorts = enc.indexSorts(v);
    const dims = sorts.map((s) => inst.sizes[s.parent ?? s.name]!);
    const isSet = v.type.kind === "set";
    if (dims.length === 0) {
      out.set(v.name, enc.valueTerm(v.type, state[v.name]));
      continue;
    }
    const valueAt = (t: readonly number[]): string => {
      let here: unknown = state[v.name];
      const path = isSet ? t.slice(0, -1) : t;
      for (const i of path) here = (here as unknown[])[i];
      return isSet ? String((here as number[]).includes(t[t.length - 1]!)) : enc.valueTerm(v.type, here);
    };
    let term = `((as const ${enc.varSort(v)}) ${isSet ? "false" : enc.zero(v.type)})`;
    for (const t of indexTuples(dims)) term = `(store ${term} ${t.join(" ")} ${valueAt(t)})`;
    out.set(v.name, term);
  }
  return out;
}
