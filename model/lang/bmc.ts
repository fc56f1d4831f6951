/**
 * Bounded model checking over the SMT back end (smt.ts, bounded reading):
 * the initial state and K steps of the next-state relation unrolled for z3,
 * at sizes far beyond what the explicit checker can enumerate (the paper's
 * scale), looking for a state within K steps that breaks an invariant.
 *
 * The transition relation is the encoding's own define-funs (A.params,
 * A.guard, A.next.V), chained: state k+1 is, variable by variable, the
 * chosen action's next-state function of state k, so nothing of the actions
 * is written here. Incremental (push/pop): the steps up to k are asserted
 * once; "some invariant fails in state k" is asked in a scope of its own,
 * once per action of the last step (ten small queries are far easier for z3
 * than their disjunction).
 *
 * A violation is read back from z3's model as the actions with their
 * parameters, then concretised: the elements the model uses (in the
 * parameters, the literals of the spec, and the rigid facts of those,
 * closed) are renumbered in order into a small instance, and the
 * interpreter (the reference semantics) replays the steps there and
 * confirms the invariant breaks. A trace that does not replay is reported
 * as such, never passed off as one.
 */
import { Expr, type Stmt, children } from "./ast.js";
import { Interpreter, type ObjectState } from "./interpret.js";
import type { Predicate, SmtEncoding } from "./smt.js";
import { SmtEncoding as Encoding } from "./smt.js";
import { getValues, paramsReading, parseSExprs, readValue, type SExpr } from "./smt-values.js";
import type { Action, Instance, Spec, Value } from "./spec.js";
import { rootSort, type Sort, type Type } from "./types.js";
import { equal } from "./values.js";
import { Z3Session } from "./z3.js";

export interface BmcProblem {
  readonly spec: Spec;
  /** The invariants searched for a violation. */
  readonly invariants: readonly Predicate[];
  /** Facts about the rigid functions that every instance satisfies. */
  readonly assumptions: readonly Predicate[];
  /** Facts of the numbering the language cannot say (asserted over the bounded encoding). */
  readonly boundedFacts?: (enc: SmtEncoding) => readonly string[];
  /** The size of every base sort. */
  readonly sizes: Readonly<Record<string, number>>;
  /**
   * How many hops `reach` needs within `depth` steps from the initial state
   * (default: the sort's size, always exact). The problem knows its chains:
   * fewer hops shrink the formulas a lot at the paper's 64 threads.
   */
  readonly reachHops?: (depth: number) => number;
}

export interface BmcSettings {
  /** The budget of one query to z3 (a depth is one query per action of its last step), in milliseconds. */
  readonly timeoutMs: number;
  /** Called as each depth is decided. */
  readonly onDepth?: (d: DepthResult) => void;
}

export interface DepthResult {
  /** How many steps from the initial state. */
  readonly depth: number;
  /** sat: an invariant fails in some state at this depth; unsat: none does. */
  readonly verdict: "sat" | "unsat" | "unknown";
  readonly seconds: number;
  readonly reason?: string;
}

/** A step of a path found at scale: the action and its parameters in object form (sort elements numbered at scale). */
export interface ScaleStep {
  readonly action: string;
  readonly params: Readonly<Record<string, Value>>;
}

/** A violating path concretised to a small instance and replayed there by the interpreter. */
export interface Concrete {
  readonly instance: Instance;
  /** For each base sort, the element at scale that each small element stands for (small i is used[sort][i]). */
  readonly used: Readonly<Record<string, readonly number[]>>;
  /** The initial state, then the state after each step. */
  readonly states: readonly ObjectState[];
  /** Each step's parameters (renumbered) and the interpreter's values (with its reports). */
  readonly steps: readonly { readonly action: Action; readonly values: Readonly<Record<string, Value>> }[];
  /** The invariants broken at scale that the interpreter finds broken in the last state too (at least one). */
  readonly broken: readonly string[];
}

export interface BmcViolation {
  readonly depth: number;
  /** The invariants that fail in the last state at scale (per z3's model). */
  readonly broken: readonly string[];
  readonly path: readonly ScaleStep[];
  /** The path replayed on a small instance holding exactly the elements it uses, or why it could not be. */
  readonly concrete: Concrete | { readonly failure: string };
}

export interface BmcResult {
  readonly depths: readonly DepthResult[];
  readonly violation: BmcViolation | null;
}

const stateName = (enc: SmtEncoding, k: number, variable: string) => `s${k}.${enc.symbol(variable)}`;
const actName = (k: number) => `act${k}`;
const holdsName = (i: number) => `holds${i}`;
const paramName = (enc: SmtEncoding, k: number, a: Action, p: string) => `k${k}.${enc.symbol(a.name)}.${enc.symbol(p)}`;

/** The encoding at the problem's sizes, with symbolic rigid facts (every configuration of those sizes). */
export function bmcEncoding(problem: BmcProblem, maxDepth: number): SmtEncoding {
  const hops = problem.reachHops?.(maxDepth);
  return new Encoding(problem.spec, { sizes: problem.sizes, predicates: problem.invariants, assumptions: problem.assumptions, ...(hops === undefined ? {} : { reachHops: hops }) });
}

/** Declarations of step k: the action chosen, every action's parameters, and state k+1 as the chosen action's next state. */
function stepScript(enc: SmtEncoding, k: number): string {
  const spec = enc.spec;
  const actions = spec.actions;
  const pre = spec.variables.map((v) => stateName(enc, k, v.name));
  const out: string[] = [`(declare-const ${actName(k)} Int)`];
  const argsOf = (a: Action) => [...pre, ...a.params.map((p) => paramName(enc, k, a, p.name))].join(" ");
  for (const a of actions) for (const p of a.params) out.push(`(declare-const ${paramName(enc, k, a, p.name)} ${enc.typeOf(p.type)})`);
  for (const v of spec.variables) {
    let value = `(${enc.symbol(actions[actions.length - 1]!.name)}.next.${enc.symbol(v.name)} ${argsOf(actions[actions.length - 1]!)})`;
    for (let i = actions.length - 2; i >= 0; i--) {
      const a = actions[i]!;
      value = `(ite (= ${actName(k)} ${i}) (${enc.symbol(a.name)}.next.${enc.symbol(v.name)} ${argsOf(a)}) ${value})`;
    }
    out.push(`(define-fun ${stateName(enc, k + 1, v.name)} () ${enc.varSort(v)} ${value})`);
  }
  const chosen = actions.map((a, i) => {
    const params = a.params.length === 0 ? "true" : `(${enc.symbol(a.name)}.params ${a.params.map((p) => paramName(enc, k, a, p.name)).join(" ")})`;
    return `(=> (= ${actName(k)} ${i}) (and ${params} (${enc.symbol(a.name)}.guard ${argsOf(a)})))`;
  });
  out.push(`(assert (and (<= 0 ${actName(k)}) (< ${actName(k)} ${actions.length}) ${chosen.join(" ")}))`);
  return out.join("\n");
}

async function run(session: Z3Session, text: string): Promise<void> {
  const out = await session.run(text);
  if (out.trim() !== "") throw new Error(`z3 refused the bounded model-checking script: ${out.trim().split("\n")[0]}`);
}

/**
 * Searches depths 0..maxDepth; stops at the first depth with a violation or
 * an undecided query (the other actions of that depth are still asked: one
 * of them may show a violation).
 */
export async function boundedModelCheck(problem: BmcProblem, maxDepth: number, settings: BmcSettings): Promise<BmcResult> {
  const enc = bmcEncoding(problem, maxDepth);
  const spec = problem.spec;
  const session = await Z3Session.open();
  const depths: DepthResult[] = [];
  try {
    await run(session, enc.text);
    const facts = problem.boundedFacts?.(enc) ?? [];
    if (facts.length > 0) await run(session, facts.join("\n"));
    await run(session, spec.variables.map((v) => `(define-fun ${stateName(enc, 0, v.name)} () ${enc.varSort(v)} Init.${enc.symbol(v.name)})`).join("\n"));
    for (let k = 0; k <= maxDepth; k++) {
      if (k > 0) await run(session, stepScript(enc, k - 1));
      const started = performance.now();
      // Split by the last step's action: ten small queries are far easier for z3 than their disjunction.
      const cases = k === 0 ? [null] : spec.actions.map((_, i) => i);
      let verdict: DepthResult["verdict"] = "unsat";
      let reason: string | undefined;
      let violation: BmcViolation | null = null;
      for (const last of cases) {
        await session.run(`(push)\n(set-option :timeout ${Math.max(1, Math.round(settings.timeoutMs))})`);
        try {
          const answer = await violationQuery(enc, session, problem, k, last);
          if (answer.verdict === "sat") {
            verdict = "sat";
            violation = await readViolation(enc, session, problem, k);
            break;
          }
          if (answer.verdict === "unknown") {
            verdict = "unknown";
            reason ??= answer.reason;
          }
        } finally {
          await session.run("(pop)");
        }
      }
      const result: DepthResult = { depth: k, verdict, seconds: (performance.now() - started) / 1000, ...(reason === undefined ? {} : { reason }) };
      depths.push(result);
      settings.onDepth?.(result);
      if (verdict !== "unsat") return { depths, violation };
    }
    return { depths, violation: null };
  } finally {
    session.close();
  }
}

/** In the current scope: is there a path of k steps (the last one action `last`, when given) to a state breaking an invariant? */
async function violationQuery(enc: SmtEncoding, session: Z3Session, problem: BmcProblem, k: number, last: number | null): Promise<{ verdict: DepthResult["verdict"]; reason?: string }> {
  const state = problem.spec.variables.map((v) => stateName(enc, k, v.name)).join(" ");
  // A Boolean per invariant, false only where the invariant fails: z3's model gives those (it does not evaluate a
  // quantified formula on request), and only the failing direction is asserted (an existential: no quantifier to instantiate).
  const holds = problem.invariants.flatMap((p, i) => [`(declare-const ${holdsName(i)} Bool)`, `(assert (or ${holdsName(i)} (not (inv.${enc.symbol(p.name)} ${state}))))`]);
  const fixed = last === null ? "" : `(assert (= ${actName(k - 1)} ${last}))\n`;
  const out = await session.run(`${fixed}${holds.join("\n")}\n(assert (not (and ${problem.invariants.map((_, i) => holdsName(i)).join(" ")})))\n(check-sat)`);
  const verdict = parseSExprs(out).at(-1);
  if (verdict !== "sat" && verdict !== "unsat" && verdict !== "unknown") throw new Error(`z3 answered ${out.trim().split("\n")[0]}`);
  if (verdict !== "unknown") return { verdict };
  const info = parseSExprs(await session.run("(get-info :reason-unknown)"))[0] as readonly SExpr[];
  return { verdict, reason: typeof info[1] === "string" ? info[1].replace(/^"|"$/g, "") : "unknown" };
}

async function getValueList(session: Z3Session, terms: readonly string[]): Promise<SExpr[]> {
  if (terms.length === 0) return [];
  const answer = parseSExprs(await session.run(`(get-value (${terms.join(" ")}))`))[0];
  if (!Array.isArray(answer)) throw new Error(`z3's get-value answered ${JSON.stringify(answer)}`);
  return answer.map((pair) => (pair as readonly SExpr[])[1]!);
}

/** The path of z3's model (in the current scope), its broken invariants, and its concretisation. */
async function readViolation(enc: SmtEncoding, session: Z3Session, problem: BmcProblem, depth: number): Promise<BmcViolation> {
  const spec = problem.spec;
  const acts = await getValueList(session, Array.from({ length: depth }, (_, k) => actName(k)));
  const path: ScaleStep[] = [];
  for (let k = 0; k < depth; k++) {
    const action = spec.actions[Number(acts[k])];
    if (action === undefined) throw new Error(`z3's model chose no action at step ${k + 1}: ${JSON.stringify(acts[k])}`);
    const reading = paramsReading(enc, action, (p) => paramName(enc, k, action, p));
    path.push({ action: action.name, params: reading.read(await getValueList(session, reading.terms)) });
  }
  const verdicts = await getValueList(session, problem.invariants.map((_, i) => holdsName(i)));
  const broken = problem.invariants.filter((_, i) => verdicts[i] === "false").map((p) => p.name);
  const concrete = await concretise(enc, session, problem, path, broken);
  return { depth, broken, path, concrete };
}

// --- concretisation -------------------------------------------------------------------

/** The sort elements a value of type `t` holds, added to `into` (by base sort). */
function elementsIn(t: Type, value: Value, into: Map<string, Set<number>>): void {
  const add = (s: Sort, n: number) => into.get(rootSort(s))!.add(n);
  switch (t.kind) {
    case "sort":
      add(t, value as number);
      return;
    case "option":
      if (value !== null) add(t.of, value as number);
      return;
    case "record":
      for (const f of t.fields) elementsIn(f.type, (value as Record<string, Value>)[f.name]!, into);
      return;
    case "union": {
      const obj = value as Record<string, Value>;
      const v = t.variants.find((x) => x.tag === obj[t.tagField])!;
      for (const f of v.fields) elementsIn(f.type, obj[f.name]!, into);
      return;
    }
    default:
      return;
  }
}

/** A value of type `t` with every sort element renumbered by `rename`. */
function renamed(t: Type, value: Value, rename: (s: Sort, n: number) => number): Value {
  switch (t.kind) {
    case "sort":
      return rename(t, value as number);
    case "option":
      return value === null ? null : rename(t.of, value as number);
    case "record":
      return Object.fromEntries(t.fields.map((f) => [f.name, renamed(f.type, (value as Record<string, Value>)[f.name]!, rename)])) as Value;
    case "union": {
      const obj = value as Record<string, Value>;
      const v = t.variants.find((x) => x.tag === obj[t.tagField])!;
      return { [t.tagField]: v.tag, ...Object.fromEntries(v.fields.map((f) => [f.name, renamed(f.type, obj[f.name]!, rename)])) } as Value;
    }
    default:
      return value;
  }
}

/** The sort elements the spec names as literals (an initial marker, a fixed region), so the small instance has them. */
function literalElements(spec: Spec, into: Map<string, Set<number>>): void {
  const visit = (e: Expr): void => {
    if (e.node.op === "lit" && e.type.kind === "sort" && typeof e.node.value === "number") into.get(rootSort(e.type))!.add(e.node.value);
    children(e.node).forEach(visit);
  };
  const visitStmt = (s: Stmt): void => {
    if (s.op === "if") {
      visit(s.cond);
      [...s.then, ...s.else].forEach(visitStmt);
    } else if (s.op === "forEach") {
      visit(s.where);
      s.body.forEach(visitStmt);
    } else if (s.op === "assign") {
      visit(s.target);
      visit(s.value);
    } else {
      visit(s.set);
      visit(s.elem);
    }
  };
  for (const a of spec.actions) {
    a.guard.forEach(visit);
    a.effect.forEach(visitStmt);
    a.reports.forEach((r) => visit(r.value));
  }
  for (const v of spec.variables) if (v.type.kind !== "set") visit(v.init(v.index.map((s, i) => new Expr(s, { op: "bound", name: `i${i}` }))));
}

/**
 * The elements the path uses, closed under the rigid facts (a thread's
 * task, a frame's owner, ...) as z3's model gives them; renumbered in order
 * into a small instance; the path replayed there by the interpreter.
 */
async function concretise(enc: SmtEncoding, session: Z3Session, problem: BmcProblem, path: readonly ScaleStep[], broken: readonly string[]): Promise<Concrete | { failure: string }> {
  const spec = problem.spec;
  const roots = [...new Set(spec.sorts.map(rootSort))];
  const used = new Map(roots.map((r) => [r, new Set<number>()]));
  literalElements(spec, used);
  for (const step of path) {
    const a = spec.actions.find((x) => x.name === step.action)!;
    for (const p of a.params) elementsIn(p.type, step.params[p.name]!, used);
  }
  // Rigid facts of the used elements, until no new element appears.
  const facts = new Map<string, Value>();
  const subsorts = spec.sorts.filter((s) => s.parent !== undefined);
  const membership = new Map<string, boolean>();
  for (;;) {
    const queries: { key: string; term: string; read: (e: SExpr) => void }[] = [];
    for (const r of spec.rigids) {
      if (r.args.length > 1) throw new Error(`${r.name}: bounded model checking concretises rigid facts of at most one argument`);
      const args = r.args.length === 0 ? [[]] : [...used.get(rootSort(r.args[0]!))!].map((n) => [n]);
      for (const xs of args) {
        const key = `${r.name}(${xs.join(",")})`;
        if (facts.has(key)) continue;
        queries.push({ key, term: xs.length === 0 ? enc.symbol(r.name) : `(${enc.symbol(r.name)} ${xs.join(" ")})`, read: (e) => facts.set(key, readValue(enc, r.result, e)) });
      }
    }
    for (const s of subsorts) {
      for (const n of used.get(rootSort(s))!) {
        const key = `${s.name}?${n}`;
        if (membership.has(key)) continue;
        queries.push({ key, term: `(${enc.symbol(s.name)}? ${n})`, read: (e) => membership.set(key, e === "true") });
      }
    }
    if (queries.length === 0) break;
    const values = await getValueList(session, queries.map((q) => q.term));
    queries.forEach((q, i) => q.read(values[i]!));
    for (const r of spec.rigids) for (const [key, value] of facts) if (key.startsWith(`${r.name}(`)) elementsIn(r.result, value, used);
  }
  // A sort the path does not touch keeps one element where the spec needs at least one.
  const order = new Map(roots.map((r) => [r, [...used.get(r)!].sort((a, b) => a - b)]));
  const index = new Map(roots.map((r) => [r, new Map(order.get(r)!.map((n, i) => [n, i]))]));
  const rename = (s: Sort, n: number): number => {
    const i = index.get(rootSort(s))!.get(n);
    if (i === undefined) throw new Error(`element ${n} of ${rootSort(s)} used but not collected`);
    return i;
  };
  const sizes = Object.fromEntries(roots.map((r) => [r, order.get(r)!.length]));
  const members = Object.fromEntries(subsorts.map((s) => [s.name, order.get(rootSort(s))!.flatMap((n, i) => (membership.get(`${s.name}?${n}`) === true ? [i] : []))]));
  const rigids = Object.fromEntries(
    spec.rigids.map((r) => [
      r.name,
      ((...args: number[]) => {
        const atScale = args.map((a) => order.get(rootSort(r.args[0]!))![a]!);
        const value = facts.get(`${r.name}(${atScale.join(",")})`);
        if (value === undefined) throw new Error(`${r.name}(${atScale.join(",")}) not read from the model`);
        return renamed(r.result, value, rename);
      }) as never,
    ]),
  );
  const instance = { sizes, members, rigids } as Instance;
  const usedOut = Object.fromEntries(roots.map((r) => [r, order.get(r)!]));

  // The interpreter replays the path on the small instance.
  const interpreter = new Interpreter(spec, instance);
  const states: ObjectState[] = [interpreter.initial()];
  const steps: { action: Action; values: Readonly<Record<string, Value>> }[] = [];
  for (const [i, step] of path.entries()) {
    const a = spec.actions.find((x) => x.name === step.action)!;
    const params = Object.fromEntries(a.params.map((p) => [p.name, renamed(p.type, step.params[p.name]!, rename)]));
    const taken = interpreter.steps(states[states.length - 1]!).find((s) => s.action.name === a.name && a.params.every((p) => equal(s.values[p.name]!, params[p.name]!)));
    if (taken === undefined) return { failure: `step ${i + 1} (${a.name}) is not enabled in the small configuration holding the elements the path uses` };
    states.push(taken.state);
    steps.push({ action: a, values: taken.values });
  }
  const last = states[states.length - 1]!;
  const stillBroken = problem.invariants.filter((p) => broken.includes(p.name) && !interpreter.holds({ name: p.name, quote: "", holds: p.holds }, last));
  if (stillBroken.length === 0) return { failure: `the path replays in the small configuration but ${broken.join(", ")} holds at its end there` };
  return { instance, used: usedOut, states, steps, broken: stillBroken.map((p) => p.name) };
}
