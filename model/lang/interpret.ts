/**
 * The reference semantics of the language: each expression and statement
 * read directly over states in object form (each node turned once into a
 * closure that does what the node says, so that whole state spaces can be
 * compared in seconds). It is the plainest reading of a spec, so the
 * derived back ends (the compiled fast path, Promela, SMT) are held to it.
 *
 * A state is a record of the variables; a variable indexed by sorts is a
 * nested array (a subsort index is numbered as its parent, every element
 * present); a set is an ascending array of elements; an option is null or
 * the element; a union value is an object with its tag field. A field of an
 * inactive variant reads as its type's zero value.
 */
import { Expr, namesIn, type Stmt } from "./ast.js";
import { type Action, type Instance, type Invariant, type Spec, type Value, elementsOf, rangeOf } from "./spec.js";
import { rootSort } from "./types.js";
import { enumerate, equal, updated, valueAt, zeroValue } from "./values.js";

export type ObjectState = Readonly<Record<string, unknown>>;

export interface InterpretedStep {
  readonly action: Action;
  /** The parameters, then the reports (evaluated before the step). */
  readonly values: Readonly<Record<string, Value>>;
  readonly state: ObjectState;
}

/** Parameters and bound variables live in numbered slots of one array while an action is enumerated. */
type Slots = Value[];
type Eval = (s: ObjectState, slots: Slots) => Value;
type Run = (s: ObjectState, slots: Slots) => ObjectState;
type Scope = ReadonlyMap<string, number>;

interface ActionPlan {
  readonly action: Action;
  /** conjunctsAt[i + 1]: the guard conjuncts whose last parameter is params[i] (index 0: those with none). */
  readonly conjunctsAt: readonly (readonly Eval[])[];
  readonly domains: readonly Value[][];
  readonly effect: Run;
  readonly reports: readonly { readonly name: string; readonly value: Eval }[];
}

export class Interpreter {
  private readonly plans: readonly ActionPlan[];
  private readonly invariantChecks: ReadonlyMap<Invariant, Eval>;
  private slotCount = 0;

  constructor(
    readonly spec: Spec,
    readonly inst: Instance,
  ) {
    this.plans = spec.actions.map((action) => {
      const scope = new Map(action.params.map((p, i) => [p.name, i]));
      this.slotCount = Math.max(this.slotCount, action.params.length);
      const conjunctsAt: Eval[][] = Array.from({ length: action.params.length + 1 }, () => []);
      for (const c of action.guard) {
        const names = namesIn(c);
        let last = -1;
        action.params.forEach((p, i) => {
          if (names.has(p.name)) last = i;
        });
        conjunctsAt[last + 1]!.push(this.expr(c, scope));
      }
      return {
        action,
        conjunctsAt,
        domains: action.params.map((p) => enumerate(inst, p.type)),
        effect: this.block(action.effect, scope),
        reports: action.reports.map((r) => ({ name: r.name, value: this.expr(r.value, scope) })),
      };
    });
    this.invariantChecks = new Map(spec.invariants.map((inv) => [inv, this.expr(inv.holds, new Map())]));
  }

  initial(): ObjectState {
    const state: Record<string, unknown> = {};
    for (const v of this.spec.variables) {
      const build = (depth: number, index: number[]): unknown => {
        if (depth === v.index.length) {
          const exprs = index.map((i, k) => new Expr(v.index[k]!, { op: "lit", value: i }));
          return this.evaluate(v.init(exprs), {}, {});
        }
        return Array.from({ length: rangeOf(this.inst, v.index[depth]!) }, (_, i) => build(depth + 1, [...index, i]));
      };
      state[v.name] = build(0, []);
    }
    return state;
  }

  /** Every enabled step, in the language's order: action, then parameters ascending. */
  steps(s: ObjectState): InterpretedStep[] {
    const out: InterpretedStep[] = [];
    const slots: Slots = new Array(this.slotCount + 64).fill(null);
    for (const plan of this.plans) this.enumerateParams(plan, s, 0, slots, out);
    return out;
  }

  private enumerateParams(plan: ActionPlan, s: ObjectState, depth: number, slots: Slots, out: InterpretedStep[]): void {
    for (const c of plan.conjunctsAt[depth]!) if (c(s, slots) !== true) return;
    const { action } = plan;
    if (depth === action.params.length) {
      const values: Record<string, Value> = {};
      action.params.forEach((p, i) => (values[p.name] = slots[i]!));
      for (const r of plan.reports) values[r.name] = r.value(s, slots);
      out.push({ action, values, state: plan.effect(s, slots) });
      return;
    }
    for (const v of plan.domains[depth]!) {
      slots[depth] = v;
      this.enumerateParams(plan, s, depth + 1, slots, out);
    }
  }

  holds(inv: Invariant, s: ObjectState): boolean {
    const check = this.invariantChecks.get(inv) ?? this.expr(inv.holds, new Map());
    return check(s, new Array(64).fill(null)) === true;
  }

  /** An expression's value, with names bound by an object (parameters by name). */
  evaluate(e: Expr, s: ObjectState, env: Readonly<Record<string, Value>>): Value {
    const names = Object.keys(env);
    const slots: Slots = [...names.map((n) => env[n]!), ...new Array(64).fill(null)];
    return this.expr(e, new Map(names.map((n, i) => [n, i])))(s, slots);
  }

  /** The state after a statement list, with names bound by an object. */
  execute(effect: readonly Stmt[], s: ObjectState, env: Readonly<Record<string, Value>>): ObjectState {
    const names = Object.keys(env);
    const slots: Slots = [...names.map((n) => env[n]!), ...new Array(64).fill(null)];
    return this.block(effect, new Map(names.map((n, i) => [n, i])))(s, slots);
  }

  // --- statements -----------------------------------------------------------------

  private block(stmts: readonly Stmt[], scope: Scope): Run {
    const runs = stmts.map((x) => this.stmt(x, scope));
    return (s, slots) => {
      let state = s;
      for (const run of runs) state = run(state, slots);
      return state;
    };
  }

  private stmt(stmt: Stmt, scope: Scope): Run {
    switch (stmt.op) {
      case "assign": {
        const where = this.location(stmt.target, scope);
        const value = this.expr(stmt.value, scope);
        return (s, slots) => updated(s, where(s, slots), value(s, slots)) as ObjectState;
      }
      case "include":
      case "exclude": {
        const where = this.location(stmt.set, scope);
        const elem = this.expr(stmt.elem, scope);
        const including = stmt.op === "include";
        return (s, slots) => {
          const path = where(s, slots);
          const e = elem(s, slots) as number;
          const kept = (valueAt(s, path) as readonly number[]).filter((x) => x !== e);
          return updated(s, path, including ? [...kept, e].sort((a, b) => a - b) : kept) as ObjectState;
        };
      }
      case "if": {
        const cond = this.expr(stmt.cond, scope);
        const then = this.block(stmt.then, scope);
        const otherwise = this.block(stmt.else, scope);
        return (s, slots) => (cond(s, slots) === true ? then(s, slots) : otherwise(s, slots));
      }
      case "forEach": {
        const slot = scope.size;
        const inner = new Map([...scope, [stmt.bound, slot]]);
        const where = this.expr(stmt.where, inner);
        const body = this.block(stmt.body, inner);
        const elements = elementsOf(this.inst, stmt.sort);
        return (s, slots) => {
          // The elements are chosen on the state before the loop; the bodies write disjoint locations.
          const chosen = elements.filter((x) => {
            slots[slot] = x;
            return where(s, slots) === true;
          });
          let state = s;
          for (const x of chosen) {
            slots[slot] = x;
            state = body(state, slots);
          }
          return state;
        };
      }
    }
  }

  /** The path of a location expression: variable, indexes, record fields. */
  private location(e: Expr, scope: Scope): (s: ObjectState, slots: Slots) => (string | number)[] {
    const n = e.node;
    if (n.op === "read") {
      const index = n.index.map((i) => this.expr(i, scope));
      return (s, slots) => [n.variable, ...index.map((i) => i(s, slots) as number)];
    }
    if (n.op === "field") {
      const of = this.location(n.of, scope);
      return (s, slots) => [...of(s, slots), n.name];
    }
    throw new Error(`not a location: ${n.op}`);
  }

  // --- expressions --------------------------------------------------------------

  private expr(e: Expr, scope: Scope): Eval {
    const n = e.node;
    switch (n.op) {
      case "lit": {
        const value = n.value;
        return () => value;
      }
      case "param":
      case "bound": {
        const slot = scope.get(n.name);
        if (slot === undefined) throw new Error(`unbound ${n.name}`);
        return (_s, slots) => slots[slot]!;
      }
      case "rigid": {
        const fn = this.inst.rigids[n.fn]!;
        const args = n.args.map((a) => this.expr(a, scope));
        return (s, slots) => fn(...args.map((a) => a(s, slots) as number));
      }
      case "inSort": {
        const members = new Set(this.inst.members[n.sort.name]!);
        const arg = this.expr(n.arg, scope);
        return (s, slots) => members.has(arg(s, slots) as number);
      }
      case "read": {
        const index = n.index.map((i) => this.expr(i, scope));
        const variable = n.variable;
        return (s, slots) => {
          let here: unknown = s[variable];
          for (const i of index) here = (here as unknown[])[i(s, slots) as number];
          return here as Value;
        };
      }
      case "field": {
        const of = this.expr(n.of, scope);
        const zero = zeroValue(e.type);
        const name = n.name;
        return (s, slots) => (of(s, slots) as Record<string, Value>)[name] ?? zero;
      }
      case "isTag": {
        const t = n.of.type;
        if (t.kind !== "union") throw new Error("isTag of a non-union");
        const of = this.expr(n.of, scope);
        const { tagField } = t;
        const tag = n.tag;
        return (s, slots) => (of(s, slots) as Record<string, Value>)[tagField] === tag;
      }
      case "make": {
        const fields = Object.entries(n.fields).map(([k, x]) => [k, this.expr(x, scope)] as const);
        const t = e.type;
        const tag = t.kind === "union" ? ([t.tagField, n.tag] as const) : null;
        return (s, slots) => {
          const out: Record<string, Value> = tag === null ? {} : { [tag[0]]: tag[1]! };
          for (const [k, x] of fields) out[k] = x(s, slots);
          return out;
        };
      }
      case "some":
        return this.expr(n.of, scope);
      case "value": {
        const of = this.expr(n.of, scope);
        return (s, slots) => {
          const v = of(s, slots);
          if (v === null) throw new Error("value of none");
          return v;
        };
      }
      case "eq": {
        const a = this.expr(n.a, scope);
        const b = this.expr(n.b, scope);
        return (s, slots) => equal(a(s, slots), b(s, slots));
      }
      case "not": {
        const a = this.expr(n.a, scope);
        return (s, slots) => !a(s, slots);
      }
      case "and": {
        const args = n.args.map((a) => this.expr(a, scope));
        return (s, slots) => args.every((a) => a(s, slots) === true);
      }
      case "or": {
        const args = n.args.map((a) => this.expr(a, scope));
        return (s, slots) => args.some((a) => a(s, slots) === true);
      }
      case "ite": {
        const c = this.expr(n.c, scope);
        const a = this.expr(n.a, scope);
        const b = this.expr(n.b, scope);
        return (s, slots) => (c(s, slots) === true ? a(s, slots) : b(s, slots));
      }
      case "emptySet":
        return () => [];
      case "member": {
        const set = this.expr(n.set, scope);
        const elem = this.expr(n.elem, scope);
        return (s, slots) => (set(s, slots) as readonly number[]).includes(elem(s, slots) as number);
      }
      case "quant": {
        const slot = scope.size;
        const body = this.expr(n.body, new Map([...scope, [n.bound, slot]]));
        const xs = elementsOf(this.inst, n.sort);
        const forall = n.q === "forall";
        return (s, slots) => {
          for (const x of xs) {
            slots[slot] = x;
            if ((body(s, slots) === true) !== forall) return !forall;
          }
          return forall;
        };
      }
      case "wrap": {
        const arg = this.expr(n.arg, scope);
        const size = this.inst.sizes[rootSort(n.sort)]!;
        return (s, slots) => (arg(s, slots) as number) % size;
      }
      case "reach": {
        const slot = scope.size;
        const from = this.expr(n.from, scope);
        const target = this.expr(n.target, scope);
        const step = this.expr(n.step, new Map([...scope, [n.bound, slot]]));
        const hops = rangeOf(this.inst, n.sort);
        return (s, slots) => {
          const goal = target(s, slots);
          let current = from(s, slots);
          for (let h = 0; h < hops; h++) {
            slots[slot] = current;
            const next = step(s, slots);
            if (next === null) return false;
            if (next === goal) return true;
            current = next;
          }
          return false;
        };
      }
    }
  }
}
