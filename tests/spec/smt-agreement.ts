/**
 * The SMT encoding held to the interpreter on given states: for each state,
 * one query to z3 (many states per call) that is unsatisfiable exactly when
 * (1) every interpreter step (action, parameters, state after) is a step of
 * the encoding, (2) every parameter tuple the encoding enables is one of
 * the interpreter's, and (3) every invariant, lemma and TypeOK has the same
 * value. Both directions of "the same successors", and the same verdicts.
 */
import { Interpreter, type ObjectState } from "../../model/lang/interpret.js";
import { SmtEncoding, TYPE_OK, type Predicate } from "../../model/lang/smt.js";
import { indexTuples, parseSExprs, stateTerms } from "../../model/lang/smt-values.js";
import type { Instance, Spec, Value } from "../../model/lang/spec.js";
import { enumerate } from "../../model/lang/values.js";
import { Z3Session } from "../../model/lang/z3.js";

export interface AgreementChecker {
  /** The states (object form) on which the encoding and the interpreter disagree (empty when they agree). */
  readonly disagreements: (states: readonly ObjectState[]) => Promise<ObjectState[]>;
  readonly close: () => void;
}

/** `reference` is the spec the interpreter runs (the encoded one unless a test plants a difference). */
export async function agreementChecker(spec: Spec, inst: Instance, predicates: readonly Predicate[], reference: Spec = spec): Promise<AgreementChecker> {
  const enc = new SmtEncoding(spec, { sizes: inst.sizes, instance: inst, predicates });
  const interpreter = new Interpreter(reference, inst);
  const session = await Z3Session.open();
  const prelude = await session.run(enc.text);
  if (prelude.trim() !== "") throw new Error(`z3 refused the encoding: ${prelude}`);
  let counter = 0;
  const domains = new Map(spec.actions.map((a) => [a, a.params.map((p) => enumerate(inst, p.type))]));
  /** Every parameter tuple of an action, in the interpreter's order. */
  const tuplesOf = (a: Spec["actions"][number]): Value[][] => {
    let rows: Value[][] = [[]];
    for (const d of domains.get(a)!) rows = rows.flatMap((r) => d.map((v) => [...r, v]));
    return rows;
  };

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
      for (const tuple of tuplesOf(a)) {
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
