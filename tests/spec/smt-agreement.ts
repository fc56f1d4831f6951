/**
 * The SMT encoding held to the interpreter on given states: for each state,
 * (1) every interpreter step (action, parameters, state after) is a step of
 * the encoding, (2) every parameter tuple the encoding enables is one of
 * the interpreter's, and (3) every invariant, lemma and TypeOK has the same
 * value. Both directions of "the same successors", and the same verdicts.
 *
 * Two ways of reading the encoding, on the same script: z3 (one query per
 * batch of states, unsatisfiable exactly when all agree), and
 * model/lang/smt-eval.ts, which evaluates the script's define-funs on the
 * concrete state and every parameter tuple without a solver (thousands of
 * times faster, so that 5,000 states of each configuration fit in CI).
 */
import { Interpreter, type ObjectState } from "../../model/lang/interpret.js";
import { SmtEncoding, TYPE_OK, type Predicate } from "../../model/lang/smt.js";
import { indexTuples, parseSExprs, stateTerms } from "../../model/lang/smt-values.js";
import type { Instance, Spec, Value } from "../../model/lang/spec.js";
import { SmtEvaluator, smtEqual, stateArguments, type SmtArray, type SmtValue } from "../../model/lang/smt-eval.js";
import { enumerate } from "../../model/lang/values.js";
import { Z3Session } from "../../model/lang/z3.js";
import { buildWithRules, DESIGN, namedConfigs, type DesignRules } from "../../spec/index.js";

/** The first `limit` reachable states, breadth-first, in object form. */
export function reachable(name: string, limit: number, rules: DesignRules = DESIGN) {
  const machine = buildWithRules(namedConfigs.find((c) => c.name === name)!.config, rules);
  const seen = new Set<string>();
  const states: ObjectState[] = [];
  const add = (s: unknown) => {
    const key = Buffer.from(machine.encode(s as never)).toString("hex");
    if (seen.has(key) || states.length >= limit) return;
    seen.add(key);
    states.push(s as ObjectState);
  };
  for (const s of machine.initialStates()) add(s);
  for (let i = 0; i < states.length && states.length < limit; i++) for (const step of machine.successors(states[i] as never)) add(step.state);
  return { machine, states };
}

export interface AgreementChecker {
  /** The states (object form) on which the encoding and the interpreter disagree (empty when they agree). */
  readonly disagreements: (states: readonly ObjectState[]) => Promise<ObjectState[]>;
  readonly close: () => void;
}

/** The SMT encoding of `spec` bounded to an instance, with the predicates, as both readers take it. */
const encodingFor = (spec: Spec, inst: Instance, predicates: readonly Predicate[], expandUpTo?: number) =>
  new SmtEncoding(spec, { sizes: inst.sizes, instance: inst, predicates, ...(expandUpTo === undefined ? {} : { expandUpTo }) });

/** Every parameter tuple of an action's finite domain, in the interpreter's order. */
function tuplesOf(inst: Instance, a: Spec["actions"][number]): Value[][] {
  let rows: Value[][] = [[]];
  for (const d of a.params.map((p) => enumerate(inst, p.type))) rows = rows.flatMap((r) => d.map((v) => [...r, v]));
  return rows;
}

/**
 * The agreement checked by evaluating the encoding's own script on each
 * state (model/lang/smt-eval.ts): every guard on every parameter tuple,
 * every next-state function at every location of every enabled step, every
 * predicate. `why` says, for a disagreeing state, the first difference.
 */
export function evaluatingChecker(
  spec: Spec,
  inst: Instance,
  predicates: readonly Predicate[],
  reference: Spec = spec,
  expandUpTo?: number,
): AgreementChecker & { why: (s: ObjectState) => string | null } {
  const enc = encodingFor(spec, inst, predicates, expandUpTo);
  const ev = new SmtEvaluator(enc.text);
  const interpreter = new Interpreter(reference, inst);
  const term = (t: Parameters<SmtEncoding["valueTerm"]>[0], v: unknown) => ev.term(enc.valueTerm(t, v));
  const plans = spec.actions.map((a) => ({
    a,
    guard: `${enc.symbol(a.name)}.guard`,
    next: spec.variables.map((v) => `${enc.symbol(a.name)}.next.${enc.symbol(v.name)}`),
    tuples: tuplesOf(inst, a).map((t) => ({ key: JSON.stringify(t), args: a.params.map((p, i) => term(p.type, t[i])) })),
  }));
  const dims = new Map(spec.variables.map((v) => [v.name, enc.indexSorts(v).map((s) => inst.sizes[s.parent ?? s.name]!)]));

  /** The first location where `got` (the encoding's next state) differs from the interpreter's state. */
  const differs = (v: Spec["variables"][number], got: SmtValue, want: ObjectState): string | null => {
    const expected = stateArguments(enc, ev, want)[spec.variables.indexOf(v)]!;
    const d = dims.get(v.name)!;
    if (d.length === 0) return smtEqual(got, expected) ? null : `${v.name}`;
    for (const at of indexTuples(d)) if (!smtEqual((got as SmtArray).select(at), (expected as SmtArray).select(at))) return `${v.name}[${at.join("][")}]`;
    return null;
  };

  const why = (s: ObjectState): string | null => {
    const pre = stateArguments(enc, ev, s);
    const steps = new Map(interpreter.steps(s).map((x) => [`${x.action.name} ${JSON.stringify(x.action.params.map((p) => x.values[p.name]))}`, x]));
    let matched = 0;
    for (const plan of plans) {
      for (const t of plan.tuples) {
        const step = steps.get(`${plan.a.name} ${t.key}`);
        const args = [...pre, ...t.args];
        const enabled = ev.call(plan.guard, args) === true;
        if (step === undefined) {
          if (enabled) return `${plan.a.name}${t.key} is enabled in the encoding only`;
          continue;
        }
        if (!enabled) return `${plan.a.name}${t.key} is enabled in the interpreter only`;
        matched++;
        for (const [i, v] of spec.variables.entries()) {
          const where = differs(v, ev.call(plan.next[i]!, args), step.state);
          if (where !== null) return `${plan.a.name}${t.key} leads to a different ${where}`;
        }
      }
    }
    if (matched !== steps.size) return `${steps.size - matched} interpreter steps have parameters outside the encoding's domains`;
    for (const p of predicates) {
      const expected = interpreter.holds({ name: p.name, quote: "", holds: p.holds }, s);
      if ((ev.call(`inv.${enc.symbol(p.name)}`, pre) === true) !== expected) return `${p.name} is ${expected} in the interpreter only`;
    }
    if (ev.call(TYPE_OK, pre) !== true) return `${TYPE_OK} fails`;
    return null;
  };

  return {
    why,
    disagreements: (states) => Promise.resolve(states.filter((s) => why(s) !== null)),
    close: () => undefined,
  };
}

/** `reference` is the spec the interpreter runs (the encoded one unless a test plants a difference). */
export async function solvingChecker(spec: Spec, inst: Instance, predicates: readonly Predicate[], reference: Spec = spec): Promise<AgreementChecker> {
  const enc = encodingFor(spec, inst, predicates);
  const interpreter = new Interpreter(reference, inst);
  const session = await Z3Session.open();
  const prelude = await session.run(enc.text);
  if (prelude.trim() !== "") throw new Error(`z3 refused the encoding: ${prelude}`);
  let counter = 0;

  /** Each element of a variable (index tuple as SMT, value as a term; a set: each membership). */
  const elementsOf = (v: Spec["variables"][number], state: ObjectState): [string, string][] => {
    const dims = enc.indexSorts(v).map((s) => inst.sizes[s.parent ?? s.name]!);
    const isSet = v.type.kind === "set";
    return indexTuples(dims).map((t) => {
      let here: unknown = state[v.name];
      for (const i of isSet ? t.slice(0, -1) : t) here = (here as unknown[])[i];
      const value = isSet ? String((here as number[]).includes(t[t.length - 1]!)) : enc.valueTerm(v.type, here);
      return [t.join(" "), value];
    });
  };

  /** The condition, over fresh constants, that the encoding and the interpreter disagree on `s`. */
  const mismatch = (s: ObjectState): { declare: string[]; disagree: string } => {
    const n = ++counter;
    const terms = stateTerms(enc, inst, s);
    const pre = spec.variables.map((v) => `a${n}.${enc.symbol(v.name)}`);
    const declare = spec.variables.map((v, i) => `(define-fun ${pre[i]} () ${enc.varSort(v)} ${terms.get(v.name)})`);
    const parts: string[] = [];
    const steps = interpreter.steps(s);
    // (1) every interpreter step is the encoding's, with the same state after
    for (const step of steps) {
      const a = spec.actions.find((x) => x.name === step.action.name)!;
      const params = a.params.map((p) => enc.valueTerm(p.type, step.values[p.name]));
      const args = [...pre, ...params].join(" ");
      // Element by element: an equality of arrays would ask z3 for extensionality over lambdas.
      const same = spec.variables.flatMap((v) => {
        const next = `(${enc.symbol(a.name)}.next.${enc.symbol(v.name)} ${args})`;
        return elementsOf(v, step.state).map(([at, value]) => `(= ${at === "" ? next : `(select ${next} ${at})`} ${value})`);
      });
      parts.push(`(not (and (${enc.symbol(a.name)}.guard ${args}) ${same.join(" ")}))`);
    }
    // (2) every other parameter tuple of the action's finite domain is disabled in the encoding
    for (const a of spec.actions) {
      const known = new Set(steps.filter((x) => x.action.name === a.name).map((x) => JSON.stringify(a.params.map((p) => x.values[p.name]))));
      for (const tuple of tuplesOf(inst, a)) {
        if (known.has(JSON.stringify(tuple))) continue;
        const params = a.params.map((p, i) => enc.valueTerm(p.type, tuple[i]));
        parts.push(`(${enc.symbol(a.name)}.guard ${[...pre, ...params].join(" ")})`);
      }
    }
    // (3) the same verdict of every predicate, and TypeOK
    for (const p of predicates) {
      const expected = interpreter.holds({ name: p.name, quote: "", holds: p.holds }, s);
      const call = `(inv.${enc.symbol(p.name)} ${pre.join(" ")})`;
      parts.push(expected ? `(not ${call})` : call);
    }
    parts.push(`(not (${TYPE_OK} ${pre.join(" ")}))`);
    return { declare, disagree: enc.orAll(parts) };
  };

  /** One query for a batch: unsatisfiable exactly when the encoding and the interpreter agree on all its states. */
  const batchAgrees = async (batch: readonly ObjectState[]): Promise<boolean> => {
    const queries = batch.map(mismatch);
    await session.run("(push)");
    try {
      const out = await session.run(`${queries.flatMap((q) => q.declare).join("\n")}\n(assert ${enc.orAll(queries.map((q) => q.disagree))})\n(check-sat)`);
      const verdict = parseSExprs(out).at(-1);
      if (verdict !== "sat" && verdict !== "unsat") throw new Error(`z3: ${out.slice(0, 500)}`);
      return verdict === "unsat";
    } finally {
      await session.run("(pop)");
    }
  };

  /** The states of a batch on which they disagree: halves until each culprit stands alone. */
  const disagreements = async (states: readonly ObjectState[]): Promise<ObjectState[]> => {
    if (states.length === 0 || (await batchAgrees(states))) return [];
    if (states.length === 1) return [...states];
    const half = Math.ceil(states.length / 2);
    return [...(await disagreements(states.slice(0, half))), ...(await disagreements(states.slice(half)))];
  };

  return { disagreements, close: () => session.close() };
}
