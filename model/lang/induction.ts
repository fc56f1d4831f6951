/**
 * Inductive invariance of a spec, checked by z3 over the SMT back end
 * (smt.ts), in the manner of TLAPS's proof obligations and Apalache's
 * inductive check, with IndInv = TypeOK (generated from the types) and the
 * given invariants and lemmas:
 *
 *   init     Init => C                        for every conjunct C of IndInv
 *   step     IndInv /\ A(params) => C'        for every action A and conjunct C
 *   implies  IndInv => I                      for every invariant I
 *
 * Each obligation is first tried for every size (the unbounded encoding).
 * One that is not proved quickly is searched for a counterexample to
 * induction in the bounded encoding with symbolic facts, smallest sizes
 * first (the search that finds, at those sizes, every configuration's
 * CTIs); a CTI found there is exact (D4's chain walked, not approximated),
 * re-checked by the interpreter and shrunk towards the initial state.
 * Failing that, the unbounded attempt gets the whole time budget.
 */
import { children, type Expr } from "./ast.js";
import { Interpreter, type ObjectState } from "./interpret.js";
import { SmtEncoding, TYPE_OK, type Predicate } from "./smt.js";
import { getValues, instanceReading, paramsReading, parseSExprs, stateReading, type SExpr } from "./smt-values.js";
import type { Action, Instance, Invariant, Spec, Value } from "./spec.js";
import { equal } from "./values.js";
import { Z3Session } from "./z3.js";

export interface InductionProblem {
  readonly spec: Spec;
  /** The claims (IndInv implies each). */
  readonly invariants: readonly Predicate[];
  /** Strengthening lemmas (part of IndInv). */
  readonly lemmas: readonly Predicate[];
  /** Facts about the rigid functions that every instance satisfies. */
  readonly assumptions: readonly Predicate[];
  /**
   * Facts of the numbering that the language cannot say (it has no order),
   * as SMT-LIB assertions over a bounded encoding, so that a CTI found at
   * small sizes is an instance as the spec builds them.
   */
  readonly boundedFacts?: (enc: SmtEncoding) => readonly string[];
}

export { TYPE_OK };

export interface Obligation {
  readonly kind: "init" | "step" | "implies";
  /** The action of a step obligation. */
  readonly action: string | null;
  /** The conjunct of IndInv (step, init) or the invariant (implies). */
  readonly property: string;
}

/** A counterexample to induction: a state of IndInv (or the initial state), the step, and the state after. */
export interface Cti {
  readonly sizes: Readonly<Record<string, number>>;
  readonly instance: Instance;
  readonly before: ObjectState;
  /** null for an init or implies obligation (the property fails on `before` itself). */
  readonly step: { readonly action: string; readonly params: Readonly<Record<string, Value>>; readonly values: Readonly<Record<string, Value>>; readonly after: ObjectState } | null;
}

export type Outcome =
  | { readonly status: "proved"; readonly seconds: number; readonly by: "solver" | "unchanged" }
  | { readonly status: "failed"; readonly seconds: number; readonly cti: Cti }
  | { readonly status: "unknown"; readonly seconds: number; readonly reason: string };

export interface ProofSettings {
  /** The whole budget of one obligation, in milliseconds. */
  readonly timeoutMs: number;
  /** Called as each obligation is decided (for progress and streaming output). */
  readonly onOutcome?: (o: Obligation, outcome: Outcome) => void;
}

/** The first try for every size: most obligations are proved in well under this. */
const QUICK_MS = 2_000;
/**
 * Sizes of the CTI search, tried in order until one holds a CTI (then each
 * sort above 1 is shrunk while one remains): every sort 1; two of the first
 * sort (a pager and a thread it serves, most often); every sort 2; 3.
 */
const LADDER: readonly ((roots: readonly string[]) => Record<string, number>)[] = [
  (roots) => Object.fromEntries(roots.map((r) => [r, 1])),
  (roots) => Object.fromEntries(roots.map((r, i) => [r, i === 0 ? 2 : 1])),
  (roots) => Object.fromEntries(roots.map((r) => [r, 2])),
  (roots) => Object.fromEntries(roots.map((r) => [r, 3])),
];

export function obligationsOf(problem: InductionProblem): Obligation[] {
  const conjuncts = [TYPE_OK, ...problem.invariants.map((p) => p.name), ...problem.lemmas.map((p) => p.name)];
  return [
    ...conjuncts.map((property) => ({ kind: "init" as const, action: null, property })),
    ...problem.spec.actions.flatMap((a) => conjuncts.map((property) => ({ kind: "step" as const, action: a.name, property }))),
    ...problem.invariants.map((p) => ({ kind: "implies" as const, action: null, property: p.name })),
  ];
}

/** The state variables an expression reads. */
function variablesRead(e: Expr, into = new Set<string>()): Set<string> {
  const n = e.node;
  if (n.op === "read") into.add(n.variable);
  for (const c of children(n)) variablesRead(c, into);
  return into;
}

/** One obligation as SMT-LIB: the hypotheses, then the negated goal, over the encoding's define-funs. */
function obligationScript(enc: SmtEncoding, problem: InductionProblem, o: Obligation): { declare: string; assert: string; action: Action | null } {
  const spec = problem.spec;
  const pre = spec.variables.map((v) => `s.${enc.symbol(v.name)}`);
  const predicate = (name: string) => (name === TYPE_OK ? TYPE_OK : `inv.${enc.symbol(name)}`);
  const all = [TYPE_OK, ...problem.invariants.map((p) => p.name), ...problem.lemmas.map((p) => p.name)];
  const declareState = spec.variables.map((v, i) => `(declare-const ${pre[i]} ${enc.varSort(v)})`);
  const hypotheses = all.map((c) => `(assert (${predicate(c)} ${pre.join(" ")}))`);
  if (o.kind === "init") {
    const init = spec.variables.map((v) => `Init.${enc.symbol(v.name)}`);
    return { declare: "", assert: `(assert (not (${predicate(o.property)} ${init.join(" ")})))`, action: null };
  }
  if (o.kind === "implies") return { declare: declareState.join("\n"), assert: [...hypotheses, `(assert (not (${predicate(o.property)} ${pre.join(" ")})))`].join("\n"), action: null };
  const a = spec.actions.find((x) => x.name === o.action)!;
  const params = a.params.map((p) => `q.${enc.symbol(p.name)}`);
  const args = [...pre, ...params].join(" ");
  const post = spec.variables.map((v) => `(${enc.symbol(a.name)}.next.${enc.symbol(v.name)} ${args})`);
  return {
    declare: [...declareState, ...a.params.map((p, i) => `(declare-const ${params[i]} ${enc.typeOf(p.type)})`)].join("\n"),
    assert: [
      ...hypotheses,
      params.length === 0 ? "" : `(assert (${enc.symbol(a.name)}.params ${params.join(" ")}))`,
      `(assert (${enc.symbol(a.name)}.guard ${args}))`,
      `(assert (not (${predicate(o.property)} ${post.join(" ")})))`,
    ].join("\n"),
    action: a,
  };
}

/** z3's answer to one check-sat: the verdict, the reason when unknown, and what get-value printed. */
interface Answer {
  readonly verdict: "sat" | "unsat" | "unknown";
  readonly reason: string;
  readonly values: SExpr;
}

async function check(session: Z3Session, script: string, timeoutMs: number, after = ""): Promise<Answer> {
  // An error stops z3 in the middle of a call: each command that may fail gets a call of its own, and the scope is always closed.
  await session.run(`(push)\n(set-option :timeout ${Math.max(1, Math.round(timeoutMs))})`);
  try {
    const out = await session.run(`${script}\n(check-sat)`);
    const parsed = parseSExprs(out);
    const verdict = parsed[parsed.length - 1];
    if (verdict !== "sat" && verdict !== "unsat" && verdict !== "unknown") throw new Error(`z3 answered ${out.trim().split("\n")[0]}`);
    const values = verdict === "sat" && after !== "" ? parseSExprs(await session.run(after))[0]! : [];
    const info = verdict === "unknown" ? (parseSExprs(await session.run("(get-info :reason-unknown)"))[0] as readonly SExpr[]) : [];
    const reason = typeof info[1] === "string" ? info[1].replace(/^"|"$/g, "") : "";
    return { verdict, reason, values };
  } finally {
    await session.run("(pop)");
  }
}

/** A bounded encoding (symbolic facts) per size vector, with its own z3 session, built on first use. */
class BoundedSessions {
  private readonly made = new Map<string, Promise<{ enc: SmtEncoding; session: Z3Session }>>();

  constructor(private readonly problem: InductionProblem) {}

  get(sizes: Readonly<Record<string, number>>): Promise<{ enc: SmtEncoding; session: Z3Session }> {
    const key = JSON.stringify(sizes);
    let found = this.made.get(key);
    if (found === undefined) {
      found = (async () => {
        const enc = encodingOf(this.problem, sizes);
        const session = await Z3Session.open();
        await prelude(session, enc.text);
        const facts = this.problem.boundedFacts?.(enc) ?? [];
        if (facts.length > 0) await prelude(session, facts.join("\n"));
        return { enc, session };
      })();
      this.made.set(key, found);
    }
    return found;
  }

  async close(): Promise<void> {
    for (const s of this.made.values()) (await s).session.close();
  }
}

export function encodingOf(problem: InductionProblem, sizes?: Readonly<Record<string, number>>): SmtEncoding {
  return new SmtEncoding(problem.spec, {
    predicates: [...problem.invariants, ...problem.lemmas],
    assumptions: problem.assumptions,
    ...(sizes === undefined ? {} : { sizes }),
  });
}

async function prelude(session: Z3Session, text: string): Promise<void> {
  const out = await session.run(text);
  if (out.trim() !== "") throw new Error(`z3 refused the encoding: ${out.trim().split("\n")[0]}`);
}

/** Checks every obligation; outcomes in the order of obligationsOf. */
export async function proveInduction(problem: InductionProblem, settings: ProofSettings): Promise<{ obligation: Obligation; outcome: Outcome }[]> {
  const enc = encodingOf(problem);
  const session = await Z3Session.open();
  const bounded = new BoundedSessions(problem);
  const results: { obligation: Obligation; outcome: Outcome }[] = [];
  try {
    await prelude(session, enc.text);
    const reads = new Map<string, Set<string>>([[TYPE_OK, new Set(problem.spec.variables.map((v) => v.name))]]);
    for (const p of [...problem.invariants, ...problem.lemmas]) reads.set(p.name, variablesRead(p.holds));
    for (const o of obligationsOf(problem)) {
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      let outcome: Outcome;
      const action = o.action === null ? null : problem.spec.actions.find((a) => a.name === o.action)!;
      const changed = action === null ? null : enc.written(action);
      if (o.kind === "step" && changed !== null && ![...reads.get(o.property)!].some((v) => changed.has(v))) {
        outcome = { status: "proved", seconds: 0, by: "unchanged" };
      } else {
        const script = obligationScript(enc, problem, o);
        const text = `${script.declare}\n${script.assert}`;
        const quick = await check(session, text, Math.min(QUICK_MS, settings.timeoutMs));
        if (quick.verdict === "unsat") outcome = { status: "proved", seconds: seconds(), by: "solver" };
        else {
          const cti = await searchCti(problem, bounded, o, settings.timeoutMs - seconds() * 1000);
          if (cti !== null) outcome = { status: "failed", seconds: seconds(), cti };
          else {
            const left = settings.timeoutMs - seconds() * 1000;
            const full = left > 0 ? await check(session, text, left) : quick;
            outcome = full.verdict === "unsat"
              ? { status: "proved", seconds: seconds(), by: "solver" }
              : { status: "unknown", seconds: seconds(), reason: full.verdict === "sat" ? "the solver found a counterexample only in its own model of unbounded sizes" : full.reason || "unknown" };
          }
        }
      }
      results.push({ obligation: o, outcome });
      settings.onOutcome?.(o, outcome);
    }
  } finally {
    session.close();
    await bounded.close();
  }
  return results;
}

/**
 * Smallest sizes first: every sort 1, 2, 3 until a CTI exists, then each
 * sort shrunk by one while one still does. Within the time left.
 */
async function searchCti(problem: InductionProblem, bounded: BoundedSessions, o: Obligation, budgetMs: number): Promise<Cti | null> {
  const deadline = performance.now() + budgetMs;
  const roots = [...new Set(problem.spec.sorts.map((s) => s.parent ?? s.name))];
  let found: { sizes: Record<string, number>; cti: Cti } | null = null;
  for (const rung of LADDER) {
    if (performance.now() >= deadline) return null;
    const sizes = rung(roots);
    const cti = await ctiAt(problem, bounded, o, sizes, deadline - performance.now());
    if (cti !== null) {
      found = { sizes, cti };
      break;
    }
  }
  if (found === null) return null;
  for (const root of roots) {
    while (found.sizes[root]! > 1 && performance.now() < deadline) {
      const smaller: Record<string, number> = { ...found.sizes, [root]: found.sizes[root]! - 1 };
      const cti = await ctiAt(problem, bounded, o, smaller, deadline - performance.now());
      if (cti === null) break;
      found = { sizes: smaller, cti };
    }
  }
  return shrink(problem, found.cti, o);
}

async function ctiAt(problem: InductionProblem, bounded: BoundedSessions, o: Obligation, sizes: Record<string, number>, timeoutMs: number): Promise<Cti | null> {
  const { enc, session } = await bounded.get(sizes);
  const script = obligationScript(enc, problem, o);
  const readings = [
    instanceReading(enc, sizes),
    stateReading(enc, sizes, (v) => (o.kind === "init" ? `Init.${enc.symbol(v.name)}` : `s.${enc.symbol(v.name)}`)),
    ...(script.action === null ? [] : [paramsReading(enc, script.action, (p) => `q.${enc.symbol(p)}`)]),
  ] as const;
  const query = getValues(readings);
  const answer = await check(session, `${script.declare}\n${script.assert}`, Math.min(timeoutMs, 20_000), query.command);
  if (answer.verdict !== "sat") return null;
  const [instancePart, statePart, paramsPart] = query.split(answer.values);
  const instance = readings[0].read(instancePart!);
  const before = readings[1].read(statePart!) as ObjectState;
  if (script.action === null) return checked(problem, { sizes, instance, before, step: null }, o);
  const params = (readings[2] as ReturnType<typeof paramsReading>).read(paramsPart!);
  return checked(problem, { sizes, instance, before, step: { action: script.action.name, params, values: params, after: before } }, o);
}

const asInvariant = (p: Predicate): Invariant => ({ name: p.name, quote: "", holds: p.holds });

/**
 * The CTI as the interpreter sees it (the reference semantics): the state
 * before satisfies IndInv, the step is one of its steps, and the property
 * fails after it. A disagreement is a bug in a back end, never a verdict.
 */
function validate(problem: InductionProblem, cti: Cti, o: Obligation): Cti | string {
  const interpreter = new Interpreter(problem.spec, cti.instance);
  const predicates = [...problem.invariants, ...problem.lemmas];
  const target = predicates.find((p) => p.name === o.property);
  const holds = (name: string, s: ObjectState) => interpreter.holds(asInvariant(predicates.find((p) => p.name === name)!), s);
  if (o.kind === "init" && !equal(interpreter.initial() as never, cti.before as never)) return "the state is not the initial state";
  if (o.kind !== "init") for (const p of predicates) if (!holds(p.name, cti.before)) return `${p.name} does not hold on the state before`;
  if (cti.step === null) return target === undefined || !holds(target.name, cti.before) ? cti : `${o.property} holds`;
  const step = cti.step;
  const taken = interpreter.steps(cti.before).find((s) => s.action.name === step.action && s.action.params.every((p) => equal(s.values[p.name]!, step.params[p.name]!)));
  if (taken === undefined) return `${step.action} is not enabled with these parameters`;
  const result: Cti = { ...cti, step: { ...step, values: taken.values, after: taken.state } };
  if (target !== undefined && holds(target.name, taken.state)) return `${o.property} holds after the step`;
  return result;
}

function checked(problem: InductionProblem, cti: Cti, o: Obligation): Cti {
  const v = validate(problem, cti, o);
  if (typeof v === "string") throw new Error(`the SMT encoding and the interpreter disagree on a counterexample to induction of ${o.kind} ${o.action ?? ""} ${o.property}: ${v}`);
  return v;
}

/** Each element of the state before set back to its initial value while the CTI stays one (the interpreter decides). */
function shrink(problem: InductionProblem, cti: Cti, o: Obligation): Cti {
  if (o.kind === "init" || o.property === TYPE_OK) return cti;
  const initial = new Interpreter(problem.spec, cti.instance).initial() as Record<string, unknown>;
  let current = cti;
  let progress = true;
  while (progress) {
    progress = false;
    for (const v of problem.spec.variables) {
      for (const path of elementPaths(current.before[v.name], v.index.length)) {
        const want = valueAtPath(initial[v.name], path);
        if (equal(valueAtPath(current.before[v.name], path) as never, want as never)) continue;
        const before = { ...current.before, [v.name]: replacedAt(current.before[v.name], path, want) };
        const tried = validate(problem, { ...current, before }, o);
        if (typeof tried !== "string") {
          current = tried;
          progress = true;
        }
      }
    }
  }
  return current;
}

/** The index paths of a variable's elements (its value nested `depth` arrays deep). */
function elementPaths(value: unknown, depth: number): number[][] {
  if (depth === 0) return [[]];
  return (value as unknown[]).flatMap((x, i) => elementPaths(x, depth - 1).map((p) => [i, ...p]));
}

function valueAtPath(value: unknown, path: readonly number[]): unknown {
  return path.reduce<unknown>((here, i) => (here as unknown[])[i], value);
}

function replacedAt(value: unknown, path: readonly number[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = (value as unknown[]).slice();
  copy[path[0]!] = replacedAt(copy[path[0]!], path.slice(1), replacement);
  return copy;
}

