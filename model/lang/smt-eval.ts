/**
 * A reader of the SMT back end's own text (smt.ts, bounded to an instance)
 * that evaluates it on concrete arguments, without a solver: with a
 * concrete state and parameter tuple every define-fun of the encoding is a
 * ground term, and its value follows from SMT-LIB's semantics of the few
 * operators the back end writes (Bool, Int comparisons and `mod`, datatypes
 * with their testers and accessors, arrays by select/store/lambda/const,
 * let, ite, and quantifiers over a bounded range of Int).
 *
 * It reads exactly the script z3 is given, so holding its answers to the
 * interpreter holds the encoding to the interpreter (tests/spec's agreement
 * test), thousands of times faster than asking z3 state by state. Anything
 * outside that fragment, an accessor applied to the wrong constructor (z3
 * would choose a value freely) or a symbol it does not know is an error,
 * never a guess.
 */
import type { ObjectState } from "./interpret.js";
import type { SmtEncoding } from "./smt.js";
import { parseSExprs, type SExpr } from "./smt-values.js";
import type { Variable } from "./spec.js";

export type SmtValue = boolean | number | SmtData | SmtArray;

export interface SmtData {
  readonly ctor: string;
  readonly args: readonly SmtValue[];
}

export interface SmtArray {
  readonly select: (index: readonly SmtValue[]) => SmtValue;
}

const isArray = (v: SmtValue): v is SmtArray => typeof v === "object" && "select" in v;

export function smtEqual(a: SmtValue, b: SmtValue): boolean {
  if (typeof a !== "object" || typeof b !== "object") return a === b;
  if (isArray(a) || isArray(b)) throw new Error("equality of arrays is outside the evaluated fragment");
  if (a.ctor !== b.ctor || a.args.length !== b.args.length) return false;
  return a.args.every((x, i) => smtEqual(x, b.args[i]!));
}

type Frame = readonly SmtValue[];
type Compiled = (frame: Frame) => SmtValue;
/** Names bound in a term, each to its slot in the frame; `size` is the next free slot. */
interface Scope {
  readonly slots: ReadonlyMap<string, number>;
  readonly size: number;
}

const EMPTY: Scope = { slots: new Map(), size: 0 };

/** The scope with `names` bound to the next slots. */
function bind(scope: Scope, names: readonly string[]): Scope {
  const slots = new Map(scope.slots);
  names.forEach((n, i) => slots.set(n, scope.size + i));
  return { slots, size: scope.size + names.length };
}

interface Fun {
  readonly arity: number;
  body: Compiled | null;
  /** A constant (no parameters): its value, computed once. */
  value?: SmtValue;
}

export class SmtEvaluator {
  private readonly funs = new Map<string, Fun>();
  private readonly ctors = new Map<string, number>();
  private readonly accessors = new Map<string, { ctor: string; index: number }>();
  private readonly terms = new Map<string, SmtValue>();

  /** Reads the encoding's text: datatype declarations and define-funs (assertions are the solver's business). */
  constructor(text: string) {
    for (const command of parseSExprs(text)) {
      if (!Array.isArray(command)) continue;
      const head = command[0];
      if (head === "declare-datatypes") this.datatypes(command[2] as readonly SExpr[]);
      else if (head === "define-fun") {
        const [, name, params, , body] = command as [string, string, readonly (readonly SExpr[])[], SExpr, SExpr];
        const scope = bind(EMPTY, params.map((p) => p[0] as string));
        const fun: Fun = { arity: params.length, body: null };
        this.funs.set(name, fun);
        fun.body = this.compile(body, scope);
      } else if (head === "declare-const" || head === "declare-fun") throw new Error(`${String(command[1])} is declared, not defined: the evaluator takes an encoding bounded to an instance`);
    }
  }

  private datatypes(bodies: readonly SExpr[]): void {
    for (const ctors of bodies as readonly (readonly SExpr[])[]) {
      for (const c of ctors) {
        const [name, ...fields] = c as readonly SExpr[];
        this.ctors.set(name as string, fields.length);
        fields.forEach((f, index) => this.accessors.set((f as readonly SExpr[])[0] as string, { ctor: name as string, index }));
      }
    }
  }

  /** Calls a define-fun of the encoding on concrete arguments. */
  call(name: string, args: readonly SmtValue[]): SmtValue {
    const fun = this.funs.get(name);
    if (fun === undefined) throw new Error(`no define-fun ${name}`);
    if (fun.arity !== args.length) throw new Error(`${name} takes ${fun.arity} arguments, got ${args.length}`);
    if (fun.arity === 0) return (fun.value ??= fun.body!([]));
    return fun.body!(args);
  }

  /** The value of a closed term (e.g. a value written by SmtEncoding.valueTerm), cached by its text. */
  term(text: string): SmtValue {
    let v = this.terms.get(text);
    if (v === undefined) {
      v = this.compile(parseSExprs(text)[0]!, EMPTY)([]);
      this.terms.set(text, v);
    }
    return v;
  }

  private compile(e: SExpr, scope: Scope): Compiled {
    if (typeof e === "string") return this.atom(e, scope);
    const [head, ...args] = e;
    if (Array.isArray(head)) return this.indexedHead(head, args, scope);
    switch (head) {
      case "let": {
        const bindings = args[0] as readonly (readonly SExpr[])[];
        const values = bindings.map((b) => this.compile(b[1]!, scope));
        // A let's values take the frame's next slots (its bindings are parallel: each is compiled in the outer scope).
        const base = scope.size;
        const body = this.compile(args[1]!, bind(scope, bindings.map((b) => b[0] as string)));
        return (f) => body(extend(f, base, values.map((v) => v(f))));
      }
      case "lambda": {
        const params = args[0] as readonly (readonly SExpr[])[];
        const base = scope.size;
        const body = this.compile(args[1]!, bind(scope, params.map((p) => p[0] as string)));
        return (f) => ({ select: (index) => body(extend(f, base, index)) });
      }
      case "forall":
      case "exists":
        return this.quantifier(head, args, scope);
      case "and": {
        const xs = args.map((a) => this.compile(a, scope));
        return (f) => xs.every((x) => x(f) === true);
      }
      case "or": {
        const xs = args.map((a) => this.compile(a, scope));
        return (f) => xs.some((x) => x(f) === true);
      }
      case "not": {
        const x = this.compile(args[0]!, scope);
        return (f) => x(f) !== true;
      }
      case "=>": {
        const [a, b] = args.map((x) => this.compile(x, scope));
        return (f) => a!(f) !== true || b!(f) === true;
      }
      case "ite": {
        const [c, a, b] = args.map((x) => this.compile(x, scope));
        return (f) => (c!(f) === true ? a!(f) : b!(f));
      }
      case "=": {
        const xs = args.map((a) => this.compile(a, scope));
        return (f) => {
          const first = xs[0]!(f);
          return xs.slice(1).every((x) => smtEqual(first, x(f)));
        };
      }
      case "distinct": {
        const xs = args.map((a) => this.compile(a, scope));
        return (f) => {
          const vs = xs.map((x) => x(f));
          return vs.every((v, i) => vs.slice(i + 1).every((w) => !smtEqual(v, w)));
        };
      }
      case "<=":
      case "<":
      case "mod":
      case "+":
      case "-":
        return this.arithmetic(head, args.map((a) => this.compile(a, scope)));
      case "select": {
        const [array, ...index] = args.map((a) => this.compile(a, scope));
        return (f) => (array!(f) as SmtArray).select(index.map((i) => i(f)));
      }
      case "store": {
        const [array, ...rest] = args.map((a) => this.compile(a, scope));
        const value = rest.pop()!;
        return (f) => {
          const base = array!(f) as SmtArray;
          const at = rest.map((i) => i(f));
          const v = value(f);
          return { select: (index) => (index.every((x, i) => smtEqual(x, at[i]!)) ? v : base.select(index)) };
        };
      }
      default:
        return this.application(head as string, args, scope);
    }
  }

  private atom(name: string, scope: Scope): Compiled {
    if (name === "true") return () => true;
    if (name === "false") return () => false;
    if (/^\d+$/.test(name)) {
      const n = Number(name);
      return () => n;
    }
    const slot = scope.slots.get(name);
    if (slot !== undefined) return (f) => f[slot]!;
    if (this.ctors.get(name) === 0) {
      const v: SmtData = { ctor: name, args: [] };
      return () => v;
    }
    if (this.funs.has(name)) return () => this.call(name, []);
    throw new Error(`unknown symbol ${name}`);
  }

  /** `((_ is C) x)` and `((as const T) v)`. */
  private indexedHead(head: readonly SExpr[], args: readonly SExpr[], scope: Scope): Compiled {
    const x = this.compile(args[0]!, scope);
    if (head[0] === "_" && head[1] === "is") {
      const ctor = head[2] as string;
      return (f) => (x(f) as SmtData).ctor === ctor;
    }
    if (head[0] === "as" && head[1] === "const") return (f) => {
      const v = x(f);
      return { select: () => v };
    };
    throw new Error(`unknown operator ${JSON.stringify(head)}`);
  }

  private application(name: string, args: readonly SExpr[], scope: Scope): Compiled {
    const xs = args.map((a) => this.compile(a, scope));
    const arity = this.ctors.get(name);
    if (arity !== undefined) return (f) => ({ ctor: name, args: xs.map((x) => x(f)) });
    const accessor = this.accessors.get(name);
    if (accessor !== undefined) {
      return (f) => {
        const v = xs[0]!(f) as SmtData;
        if (v.ctor !== accessor.ctor) throw new Error(`${name} applied to a ${v.ctor}: unspecified in SMT-LIB, the encoding must guard it`);
        return v.args[accessor.index]!;
      };
    }
    if (!this.funs.has(name)) throw new Error(`unknown function ${name}`);
    return (f) => this.call(name, xs.map((x) => x(f)));
  }

  private arithmetic(op: string, xs: readonly Compiled[]): Compiled {
    const n = (c: Compiled, f: Frame) => c(f) as number;
    switch (op) {
      case "<=":
        return (f) => n(xs[0]!, f) <= n(xs[1]!, f);
      case "<":
        return (f) => n(xs[0]!, f) < n(xs[1]!, f);
      case "mod":
        // SMT-LIB's mod: the remainder in 0..|d|-1.
        return (f) => {
          const d = Math.abs(n(xs[1]!, f));
          return ((n(xs[0]!, f) % d) + d) % d;
        };
      case "+":
        return (f) => xs.reduce((s, x) => s + n(x, f), 0);
      default:
        return xs.length === 1 ? (f) => -n(xs[0]!, f) : (f) => xs.slice(1).reduce((s, x) => s - n(x, f), n(xs[0]!, f));
    }
  }

  /**
   * A quantifier the bounded encoding writes over Int, guarded by its
   * range: (forall ((x Int)) (=> (and (<= 0 x) (< x n) ...) body)), or
   * (exists ((x Int)) (and (<= 0 x) (< x n) ... body)). It ranges over 0..n-1.
   */
  private quantifier(q: "forall" | "exists", args: readonly SExpr[], scope: Scope): Compiled {
    const vars = (args[0] as readonly (readonly SExpr[])[]).map((v) => v[0] as string);
    const limits = vars.map((v) => upperBound(args[1]!, v));
    const base = scope.size;
    const body = this.compile(args[1]!, bind(scope, vars));
    return (f) => {
      const tuple = new Array<number>(vars.length).fill(0);
      const visit = (i: number): boolean => {
        if (i === vars.length) return body(extend(f, base, tuple)) === true;
        for (let x = 0; x < limits[i]!; x++) {
          tuple[i] = x;
          const r = visit(i + 1);
          if (q === "forall" ? !r : r) return r;
        }
        return q === "forall";
      };
      return visit(0);
    };
  }
}

/** n in the guard (< x n) of a bounded quantifier's body. */
function upperBound(body: SExpr, x: string): number {
  const find = (e: SExpr): number | undefined => {
    if (!Array.isArray(e)) return undefined;
    if (e[0] === "<" && e[1] === x && typeof e[2] === "string" && /^\d+$/.test(e[2])) return Number(e[2]);
    for (const c of e) {
      const n = find(c);
      if (n !== undefined) return n;
    }
    return undefined;
  };
  const n = find(body);
  if (n === undefined) throw new Error(`a quantifier over ${x} without a bound (< ${x} n)`);
  return n;
}

/** The frame with `values` placed from slot `base` on. */
function extend(frame: Frame, base: number, values: readonly SmtValue[]): Frame {
  const out = frame.slice(0, base);
  out.push(...values);
  return out;
}

/**
 * A state in object form as the encoding's define-fun arguments, one per
 * variable in order: an array reading the state's element at each index (a
 * set's membership), a scalar its value.
 */
export function stateArguments(enc: SmtEncoding, ev: SmtEvaluator, state: ObjectState): SmtValue[] {
  return enc.spec.variables.map((v) => variableArgument(enc, ev, v, state));
}

function variableArgument(enc: SmtEncoding, ev: SmtEvaluator, v: Variable, state: ObjectState): SmtValue {
  const term = (value: unknown) => ev.term(enc.valueTerm(v.type, value));
  if (enc.indexSorts(v).length === 0) return term(state[v.name]);
  const isSet = v.type.kind === "set";
  const depth = v.index.length;
  return {
    select: (at) => {
      let here: unknown = state[v.name];
      for (let i = 0; i < depth; i++) here = (here as unknown[])[at[i] as number];
      if (isSet) return (here as number[]).includes(at[depth] as number);
      return term(here);
    },
  };
}
