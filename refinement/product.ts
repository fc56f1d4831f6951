/**
 * The refinement check as a StateMachine that model/ can explore: the
 * concrete kernel's machine, whose every step is checked against the spec
 * (the commuting square: abs(post) = A(abs(pre)) for the abstract move A of
 * the step's label, or abs(post) = abs(pre) for a stutter) and whose every
 * state is checked against the representation invariants (obligations.ts).
 *
 * A product state is the concrete state and nothing else, except after a
 * failing step: the step is still emitted, to a state that carries the
 * failure (what failed, one line why) and has no successor. The invariant
 * StepRefines then reports it with the checker's shortest trace, statistics
 * and trace output exactly as `check` does for the spec.
 */
import { buildKernelMachine, KERNEL_ACTIONS, KERNEL_VARIABLES, type KernelMachine } from "../impl/machine.js";
import { fromSpecConfig, type KernelConfig } from "../impl/kernel/config.js";
import { kernelVariant } from "../impl/mutants.js";
import type { KernelState } from "../impl/kernel/state.js";
import { decodeState, encodeState } from "../impl/kernel/state.js";
import type { ActionParams, Invariant, StateMachine, Step, TraceValue } from "../model/machine.js";
import { canonicalJson, type TraceStep, type Violation } from "../model/trace.js";
import { diffLines, formatAction } from "../model/trace-text.js";
import { buildSpec, SPEC_VARIABLES, type SpecConfig, type SpecState } from "../spec/index.js";
import { AbstractionError, abstractState, makeContext, type RefinementContext } from "./abstraction.js";
import { abstractMove, type AbstractLabel, type AbstractMove } from "./labels.js";
import { OBLIGATIONS } from "./obligations.js";

export const REFINEMENT_MACHINE_NAME = "multipager-refinement";

/** Names of the per-step obligations (the representation invariants are in obligations.ts). */
export const STEP_OBLIGATIONS = {
  InitialStatesCorrespond: "The abstract image of every concrete initial state is an initial state of the spec.",
  AbstractionDefined: "Every reachable concrete state has an abstract image.",
  NoAbstractCounterpart: "Every concrete step's label maps to an abstract action enabled in the abstract image of its pre-state.",
  CommutingSquare: "abs(post) equals the abstract action applied to abs(pre).",
  StutterChangesNothing: "An internal step (a TLB fill, a scheduling decision, a region mapper's forwarding) leaves the abstract image unchanged.",
  RefusedCallChangesNothing: "A system call the kernel refuses with an error changes nothing (property-based runs: malicious calls).",
} as const;
export type StepObligationName = keyof typeof STEP_OBLIGATIONS;

export interface StepFailure {
  readonly obligation: StepObligationName;
  readonly detail: string;
}

export interface ProductState {
  readonly concrete: KernelState;
  readonly failure: StepFailure | null;
}

export interface Refinement {
  readonly ctx: RefinementContext;
  readonly concrete: KernelMachine;
  readonly spec: StateMachine<SpecState>;
  readonly product: StateMachine<ProductState>;
  /** abs(s), or the reason it has none. */
  abstractOf(s: KernelState): SpecState | AbstractionError;
  /** The abstract move of a concrete step from `pre`. */
  moveOf(action: string, params: ActionParams, pre: KernelState): AbstractMove | null;
  /** The product step for a concrete step taken outside the machine's successors (a raw system call). */
  productStep(pre: ProductState, action: string, params: ActionParams, post: KernelState): ProductState;
}

export interface RefinementSetup {
  readonly spec: SpecConfig;
  readonly kernel: KernelConfig;
  readonly arch: string;
  readonly mutant?: string | undefined;
}

export function kernelConfigFor(spec: SpecConfig, cpus: number): KernelConfig {
  return fromSpecConfig(spec, { cpus });
}

const NO_FAILURE = 0;
const FAILED = 1;
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

function encodeProduct(s: ProductState): Uint8Array {
  const concrete = encodeState(s.concrete);
  const failure = s.failure === null ? new Uint8Array(0) : textEncoder.encode(JSON.stringify(s.failure));
  const out = new Uint8Array(1 + concrete.length + failure.length + (s.failure === null ? 0 : 4));
  out[0] = s.failure === null ? NO_FAILURE : FAILED;
  if (s.failure === null) {
    out.set(concrete, 1);
    return out;
  }
  new DataView(out.buffer).setUint32(1, concrete.length, true);
  out.set(concrete, 5);
  out.set(failure, 5 + concrete.length);
  return out;
}

function decodeProduct(bytes: Uint8Array): ProductState {
  if (bytes[0] === NO_FAILURE) return { concrete: decodeState(bytes.subarray(1)), failure: null };
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1, true);
  return {
    concrete: decodeState(bytes.subarray(5, 5 + length)),
    failure: JSON.parse(textDecoder.decode(bytes.subarray(5 + length))) as StepFailure,
  };
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const labelKey = (action: string, params: ActionParams): string => `${action} ${canonicalJson(params)}`;

export function buildRefinement(setup: RefinementSetup): Refinement {
  // The architecture's own threads (L4Re's region mappers) come after the spec's, hidden from it.
  const { arch } = kernelVariant(setup.arch, setup.mutant);
  const concrete = buildKernelMachine(setup.kernel, setup.arch, setup.mutant);
  const ctx = makeContext(setup.spec, concrete.config, arch);
  const spec = buildSpec(setup.spec);

  // Each state's image is read once: by the step that reaches it, then by the predicates of refine --liveness.
  const images = new WeakMap<KernelState, SpecState | AbstractionError>();
  const abstractOf = (s: KernelState): SpecState | AbstractionError => {
    const known = images.get(s);
    if (known !== undefined) return known;
    let image: SpecState | AbstractionError;
    try {
      image = abstractState(ctx, s);
    } catch (error) {
      if (!(error instanceof AbstractionError)) throw error;
      image = error;
    }
    images.set(s, image);
    return image;
  };

  /** The spec's successors of one abstract state, by label. */
  const specSteps = (s: SpecState): Map<string, SpecState> => {
    const steps = new Map<string, SpecState>();
    for (const step of spec.successors(s)) steps.set(labelKey(step.action, step.params), step.state);
    return steps;
  };

  const describeDifference = (expected: SpecState, actual: SpecState): string => {
    const got = diffLines(SPEC_VARIABLES, spec.view(expected), spec.view(actual)).map((l) => l.replace(/^\/\\ /, ""));
    const want = diffLines(SPEC_VARIABLES, spec.view(actual), spec.view(expected)).map((l) => l.replace(/^\/\\ /, ""));
    return `abs(post) has ${got.join(", ")}; the spec's step gives ${want.join(", ")}`;
  };

  /** The last abstract state whose successors were computed (a product state's steps all share abs(pre)). */
  let cached: { state: SpecState; steps: Map<string, SpecState> } | null = null;
  const specStepsCached = (s: SpecState): Map<string, SpecState> => {
    if (cached === null || cached.state !== s) cached = { state: s, steps: specSteps(s) };
    return cached.steps;
  };

  /** Apply an abstract move to abs(pre); a failure or the abstract post-state. */
  const applyMove = (pre: SpecState, move: AbstractMove): StepFailure | SpecState => {
    if (move.kind === "stutter") return pre;
    let state = pre;
    for (const label of move.steps) {
      const steps = state === pre ? specStepsCached(state) : specSteps(state);
      const next = steps.get(labelKey(label.action, label.params));
      if (next === undefined) {
        const offered = [...steps.keys()].filter((key) => key.startsWith(`${label.action} `)).filter((key) => sameSubject(key, label));
        const alternatives = offered.length === 0 ? `the spec enables no ${label.action} for it` : `the spec offers ${offered.map(keyText).join(" or ")}`;
        return {
          obligation: "NoAbstractCounterpart",
          detail: `abstract ${formatAction(label.action, label.params)} is not enabled in abs(pre); ${alternatives}`,
        };
      }
      state = next;
    }
    return state;
  };

  const successors = function* (ps: ProductState): Generator<Step<ProductState>> {
    if (ps.failure !== null) return;
    const pre = abstractOf(ps.concrete);
    if (pre instanceof AbstractionError) return; // flagged when the state was reached
    for (const step of concrete.successors(ps.concrete)) {
      yield { action: step.action, params: step.params, state: { concrete: step.state, failure: stepFailure(pre, step) } };
    }
  };

  const stepFailure = (pre: SpecState, step: Step<KernelState>): StepFailure | null => {
    const post = abstractOf(step.state);
    if (post instanceof AbstractionError) return { obligation: "AbstractionDefined", detail: post.message };
    const move = abstractMove(ctx, step.action, step.params, pre);
    const expected = applyMove(pre, move);
    if (!("regionTable" in expected)) return expected;
    if (sameBytes(spec.encode(expected), spec.encode(post))) return null;
    const difference = describeDifference(expected, post);
    if (move.kind === "stutter") return { obligation: "StutterChangesNothing", detail: `${step.action} is a stutter (${move.why}), but ${difference}` };
    return { obligation: "CommutingSquare", detail: `${formatMove(move)}: ${difference}` };
  };

  const initialStates = (): ProductState[] => {
    const specInitial = [...spec.initialStates()].map((s) => spec.encode(s));
    return [...concrete.initialStates()].map((s) => {
      const image = abstractOf(s);
      if (image instanceof AbstractionError) return { concrete: s, failure: { obligation: "AbstractionDefined", detail: image.message } };
      const encoded = spec.encode(image);
      if (specInitial.some((init) => sameBytes(init, encoded))) return { concrete: s, failure: null };
      const init = spec.decode(specInitial[0]!);
      return { concrete: s, failure: { obligation: "InitialStatesCorrespond", detail: describeDifference(init, image).replace("the spec's step gives", "the spec's initial state has") } };
    });
  };

  const invariants: Invariant<ProductState>[] = [
    { name: "StepRefines", quote: STEP_OBLIGATIONS.CommutingSquare, holds: (s) => s.failure === null },
    ...OBLIGATIONS.map(
      (o): Invariant<ProductState> => ({
        name: o.name,
        quote: o.quote,
        holds: (s) => {
          if (s.failure !== null) return true;
          try {
            return o.check(ctx, s.concrete) === null;
          } catch (error) {
            if (error instanceof AbstractionError) return false;
            throw error;
          }
        },
      }),
    ),
  ];

  const product: StateMachine<ProductState> = {
    name: REFINEMENT_MACHINE_NAME,
    actions: KERNEL_ACTIONS,
    variables: KERNEL_VARIABLES,
    invariants,
    initialStates,
    successors,
    encode: encodeProduct,
    decode: decodeProduct,
    view: (s) => concrete.view(s.concrete),
  };

  const moveOf = (action: string, params: ActionParams, pre: KernelState): AbstractMove | null => {
    const image = abstractOf(pre);
    return image instanceof AbstractionError ? null : abstractMove(ctx, action, params, image);
  };

  const productStep = (pre: ProductState, action: string, params: ActionParams, post: KernelState): ProductState => {
    const image = abstractOf(pre.concrete);
    if (image instanceof AbstractionError) return { concrete: post, failure: { obligation: "AbstractionDefined", detail: image.message } };
    return { concrete: post, failure: stepFailure(image, { action, params, state: post }) };
  };

  return { ctx, concrete, spec, product, abstractOf, moveOf, productStep };
}

/** Does a spec label concern the same thread (or manager/pager) as `label`? Used to list what the spec offers instead. */
function sameSubject(key: string, label: AbstractLabel): boolean {
  const params = JSON.parse(key.slice(key.indexOf(" ") + 1)) as Record<string, TraceValue>;
  const subject = ["thread", "manager", "pager"].find((field) => field in label.params);
  return subject === undefined || params[subject] === label.params[subject];
}

function keyText(key: string): string {
  const space = key.indexOf(" ");
  return formatAction(key.slice(0, space), JSON.parse(key.slice(space + 1)) as ActionParams);
}

export function formatMove(move: AbstractMove): string {
  if (move.kind === "stutter") return `stutter (${move.why})`;
  return move.steps.map((s) => formatAction(s.action, s.params)).join(" ; ");
}

/** The abstract side of a trace step: the move as one label. */
export function moveLabel(move: AbstractMove | null): { action: string; params: ActionParams } {
  if (move === null) return { action: "Undefined", params: {} };
  if (move.kind === "stutter") return { action: "Stutter", params: { why: move.why } };
  if (move.steps.length === 1) return move.steps[0]!;
  return { action: move.steps.map((s) => s.action).join("+"), params: { steps: move.steps.map((s) => ({ action: s.action, params: s.params })) } };
}

/** The violation a failing product state (or broken obligation) stands for, with its one-line reason. */
export function violationOf(refinement: Refinement, last: ProductState, invariantName: string): Violation {
  if (last.failure !== null) {
    return { kind: "refinement", name: last.failure.obligation, quote: `${last.failure.detail}` };
  }
  const obligation = OBLIGATIONS.find((o) => o.name === invariantName);
  if (obligation === undefined) return { kind: "refinement", name: invariantName, quote: "" };
  let detail: string | null;
  try {
    detail = obligation.check(refinement.ctx, last.concrete);
  } catch (error) {
    detail = (error as Error).message;
  }
  return { kind: "refinement", name: obligation.name, quote: `${detail ?? "holds"} (obligation: "${obligation.quote}")` };
}

/** A step taken: its label and the product state it led to. */
export interface TakenStep {
  readonly action: string;
  readonly params: ActionParams;
  readonly state: ProductState;
}

/**
 * The refinement trace of a run: each concrete step with its abstract move
 * and the abstract image of its post-state.
 */
export function traceSteps(refinement: Refinement, initial: ProductState, taken: readonly TakenStep[]): TraceStep[] {
  const { product, spec } = refinement;
  const abstractView = (s: ProductState): Readonly<Record<string, TraceValue>> => {
    const image = refinement.abstractOf(s.concrete);
    return image instanceof AbstractionError ? {} : spec.view(image);
  };
  const steps: TraceStep[] = [
    { action: "Init", params: {}, state: product.view(initial), abstract: { action: "Init", params: {}, state: abstractView(initial) } },
  ];
  let pre = initial;
  for (const step of taken) {
    const move = refinement.moveOf(step.action, step.params, pre.concrete);
    steps.push({ action: step.action, params: step.params, state: product.view(step.state), abstract: { ...moveLabel(move), state: abstractView(step.state) } });
    pre = step.state;
  }
  return steps;
}

/** Replay a path of labels (a checker trace) from the initial state through the product. */
export function replayPath(refinement: Refinement, path: readonly { action: string; params: ActionParams }[]): { initial: ProductState; taken: TakenStep[] } {
  const { product } = refinement;
  const initial = [...product.initialStates()][0]!;
  let state = initial;
  const taken: TakenStep[] = [];
  for (const label of path.slice(path[0]?.action === "Init" ? 1 : 0)) {
    const key = labelKey(label.action, label.params);
    let found: Step<ProductState> | undefined;
    for (const step of product.successors(state)) {
      if (labelKey(step.action, step.params) === key) {
        found = step;
        break;
      }
    }
    if (found === undefined) throw new Error(`refinement trace: ${formatAction(label.action, label.params)} is not enabled at step ${taken.length + 1}`);
    taken.push(found);
    state = found.state;
  }
  return { initial, taken };
}

/** Replay a checker trace and build its refinement trace steps; also the last product state. */
export function refinementSteps(refinement: Refinement, path: readonly { action: string; params: ActionParams }[]): { steps: TraceStep[]; last: ProductState } {
  const { initial, taken } = replayPath(refinement, path);
  return { steps: traceSteps(refinement, initial, taken), last: taken.at(-1)?.state ?? initial };
}
