/**
 * The label mapping: each concrete step's label to the abstract action(s) it
 * implements, or to a stutter for the kernel's own bookkeeping.
 *
 *   AssignManager .. HandleException   the spec's action with the same name
 *                                      (params without the CPU; a Dispatch
 *                                      without the marker the message carries)
 *   Dispatch resolved-in-kernel        monolithic: the in-kernel module maps
 *                                      (Map, its acceptance) and the zero
 *                                      level's re-check finds the page present
 *                                      (Dispatch resumed): two abstract steps
 *   Schedule, Preempt, Receive, Yield  stutter (a scheduling decision, a
 *                                      message moved into registers)
 *   Reflect, DeliverFault,             stutter (a runtime's forwarding (L4Re's region
 *   ForwardReply                       mapper), the kernel's delivery to it, its passing
 *                                      an answer on); the runtime's decision is
 *                                      labelled Dispatch, as the zero level is
 */
import { match } from "ts-pattern";
import { KERNEL_ACTIONS } from "../impl/machine.js";
import type { ActionParams, TraceValue } from "../model/machine.js";
import type { RefinementContext } from "./abstraction.js";
import type { SpecState } from "../spec/index.js";

export interface AbstractLabel {
  readonly action: string;
  readonly params: ActionParams;
}

export type AbstractMove =
  | { readonly kind: "stutter"; readonly why: string }
  | { readonly kind: "steps"; readonly steps: readonly AbstractLabel[] };

type ConcreteAction = (typeof KERNEL_ACTIONS)[number];

const without = (params: ActionParams, ...keys: string[]): ActionParams =>
  Object.fromEntries(Object.entries(params).filter(([key]) => !keys.includes(key)));

const one = (action: string, params: ActionParams): AbstractMove => ({ kind: "steps", steps: [{ action, params }] });
const stutter = (why: string): AbstractMove => ({ kind: "stutter", why });

function num(params: ActionParams, key: string): number {
  const value: TraceValue | undefined = params[key];
  if (typeof value !== "number") throw new Error(`label parameter ${key} is not a number`);
  return value;
}

/**
 * The abstract move of a concrete step. `pre` is abs(pre-state), needed only
 * where the concrete label says less than the abstract one (the monolithic
 * module's fault: which page, from the trapped thread's status).
 */
export function abstractMove(ctx: RefinementContext, action: string, params: ActionParams, pre: SpecState): AbstractMove {
  return match(action as ConcreteAction)
    .returnType<AbstractMove>()
    .with("AssignManager", "ClearManager", "Map", "Unmap", "Access", "Resolve", "Resume", "Refuse", (a) => one(a, without(params, "cpu")))
    .with("HandleException", (a) => one(a, params))
    .with("Dispatch", (a) => {
      if (params["outcome"] !== "resolved-in-kernel") return one(a, without(params, "cpu", "marker"));
      const thread = num(params, "thread");
      const st = pre.threads[thread];
      if (st === undefined || st.tag !== "trapped" || st.address.space !== "user") {
        return one(a, without(params, "cpu", "frame"));
      }
      const task = ctx.spec.threads[thread]!.task;
      const { region, page } = st.address;
      const manager = pre.regionTable[task]![region]!.manager;
      const move: AbstractMove = {
        kind: "steps",
        steps: [
          { action: "Map", params: { manager: manager ?? -1, task, region, page, frame: num(params, "frame"), rights: "rw" } },
          { action: "Dispatch", params: { thread, outcome: "resumed" } },
        ],
      };
      return move;
    })
    .with("Schedule", () => stutter("a scheduling decision"))
    .with("Preempt", () => stutter("the timer preempts a thread: a scheduling decision"))
    .with("Receive", () => stutter("a fault message moved from the queue into the pager's registers"))
    .with("Yield", () => stutter("a scheduling decision"))
    .with("Reflect", () => stutter("the region mapper forwards a fault message"))
    .with("DeliverFault", () => stutter("the kernel hands a fault to the task's region mapper; the zero level has not run yet"))
    .with("ForwardReply", () => stutter("the region mapper passes the pager's answer on"))
    .exhaustive();
}

