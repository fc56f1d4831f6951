/**
 * A specification in the language: sorts, rigid facts (fixed by the
 * instance), state variables with their initial values, actions (parameters,
 * guard, effect) and invariants. Nothing here knows which system is
 * specified; spec/ states the multi-pager design with it, and every back end
 * (interpreter, compiled fast path, Promela, SMT) reads the same definition.
 */
import { Expr, type Literal, type Stmt } from "./ast.js";
import type { ActionParams } from "../machine.js";
import { type Sort, type Type, describeType, sameType } from "./types.js";

/** A fact of the instance that no action changes: a function of sort elements (e.g. the task a thread runs in). */
export interface Rigid {
  readonly name: string;
  readonly args: readonly Sort[];
  readonly result: Type;
}

export interface Variable {
  readonly name: string;
  /** The sorts indexing it (none for a scalar variable); a subsort index keeps only its members. */
  readonly index: readonly Sort[];
  readonly type: Type;
  /** The initial value of every element (a closed expression: literals and rigid facts of its index). */
  readonly init: (index: readonly Expr[]) => Expr;
}

export interface Param {
  readonly name: string;
  /** A finite type: enumerated in order (a sort's elements ascending, an enum in its order, FALSE before TRUE, a union by variant then fields). */
  readonly type: Type;
}

export interface Report {
  readonly name: string;
  /** Evaluated on the state before the step; shown in the trace beside the parameters (e.g. Dispatch's outcome). */
  readonly value: Expr;
}

export interface Action {
  readonly name: string;
  /** The sentence of the paper the action encodes. */
  readonly quote: string;
  readonly params: readonly Param[];
  /** The parameter naming the thread whose own code takes the step, if any (the kernel's steps have none). */
  readonly actor?: string;
  /** Conjuncts, in order; the action is enabled for a parameter tuple when all hold. */
  readonly guard: readonly Expr[];
  readonly effect: readonly Stmt[];
  readonly reports: readonly Report[];
  /** How the step's parameters read in a trace (default: each parameter by name). */
  readonly label?: (values: Readonly<Record<string, Value>>) => ActionParams;
}

export interface Invariant {
  readonly name: string;
  readonly quote: string;
  readonly holds: Expr;
}

export interface Spec {
  readonly name: string;
  readonly sorts: readonly Sort[];
  readonly rigids: readonly Rigid[];
  readonly variables: readonly Variable[];
  readonly actions: readonly Action[];
  readonly invariants: readonly Invariant[];
  /**
   * Sorts whose elements are interchangeable unless a fact of the instance
   * tells them apart (for `check --symmetry`; model/lang/symmetry.ts).
   */
  readonly symmetric?: readonly Sort[];
}

/**
 * The sizes of the sorts and the rigid facts for one configuration. A base
 * sort of size n is 0..n-1; a subsort lists its members (ascending).
 */
export interface Instance {
  readonly sizes: Readonly<Record<string, number>>;
  readonly members: Readonly<Record<string, readonly number[]>>;
  readonly rigids: Readonly<Record<string, (...args: number[]) => Literal>>;
}

/** A value in object form: what a state variable's element holds. */
export type Value = boolean | string | number | null | readonly number[] | { readonly [field: string]: Value };

// --- builders -------------------------------------------------------------------

export interface VariableHandle extends Variable {
  at(...index: (Expr | number)[]): Expr;
}

export function variable(name: string, index: readonly Sort[], type: Type, init: (index: readonly Expr[]) => Expr): VariableHandle {
  const v: Variable = { name, index, type, init };
  return {
    ...v,
    at(...given: (Expr | number)[]): Expr {
      if (given.length !== index.length) throw new Error(`${name} takes ${index.length} indexes, ${given.length} given`);
      const idx = given.map((g, i) => {
        const e = typeof g === "number" ? new Expr(index[i]!, { op: "lit", value: g }) : g;
        if (!sameType(e.type, index[i]!)) throw new Error(`${name}[${i}]: ${describeType(e.type)} given, ${index[i]!.name} expected`);
        return e;
      });
      return new Expr(type, { op: "read", variable: name, index: idx });
    },
  };
}

export interface RigidHandle {
  (...args: Expr[]): Expr;
  readonly decl: Rigid;
}

export function rigid(name: string, args: readonly Sort[], result: Type): RigidHandle {
  const apply = (...given: Expr[]): Expr => {
    if (given.length !== args.length) throw new Error(`${name} takes ${args.length} arguments`);
    given.forEach((g, i) => {
      if (!sameType(g.type, args[i]!)) throw new Error(`${name}: argument ${i} is ${describeType(g.type)}, ${args[i]!.name} expected`);
    });
    return new Expr(result, { op: "rigid", fn: name, args: given });
  };
  return Object.assign(apply, { decl: { name, args, result } });
}

export interface ActionBody {
  readonly guard: Expr | readonly Expr[];
  readonly effect: readonly Stmt[];
  readonly reports?: Readonly<Record<string, Expr>>;
}

export interface ActionDeclaration {
  readonly quote: string;
  readonly params: Readonly<Record<string, Type>>;
  readonly actor?: string;
  readonly label?: Action["label"];
}

/** An action: its parameters by name, then a body from the parameters as expressions: guard first, then effect. */
export function action(name: string, decl: ActionDeclaration, body: (p: Readonly<Record<string, Expr>>) => ActionBody): Action {
  const params = Object.entries(decl.params).map(([n, type]) => ({ name: n, type }));
  const exprs = Object.fromEntries(params.map((p) => [p.name, new Expr(p.type, { op: "param", name: p.name })]));
  const b = body(exprs);
  const guard = Array.isArray(b.guard) ? (b.guard as readonly Expr[]) : [b.guard as Expr];
  for (const g of guard) if (g.type.kind !== "bool") throw new Error(`${name}: a guard conjunct is ${describeType(g.type)}`);
  return {
    name,
    quote: decl.quote,
    params,
    ...(decl.actor === undefined ? {} : { actor: decl.actor }),
    guard,
    effect: b.effect,
    reports: Object.entries(b.reports ?? {}).map(([n, value]) => ({ name: n, value })),
    ...(decl.label === undefined ? {} : { label: decl.label }),
  };
}

/** The parameters of an action as expressions (to state a condition over them from outside the action). */
export const paramExprs = (a: Action): Record<string, Expr> =>
  Object.fromEntries(a.params.map((p) => [p.name, new Expr(p.type, { op: "param", name: p.name })]));

export const sizeOf = (inst: Instance, s: Sort): number => (s.parent === undefined ? inst.sizes[s.name]! : inst.members[s.name]!.length);

/** The elements of a sort in the instance: 0..n-1, or a subsort's members. */
export const elementsOf = (inst: Instance, s: Sort): readonly number[] =>
  s.parent === undefined ? Array.from({ length: inst.sizes[s.name]! }, (_, i) => i) : inst.members[s.name]!;

/** How many values of the base sort an element of `s` may take (a subsort's elements are numbered as its parent's). */
export const rangeOf = (inst: Instance, s: Sort): number => inst.sizes[s.parent ?? s.name]!;
