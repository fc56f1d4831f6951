/**
 * Who the concrete machine assumes makes progress, as TLA+'s WF / SF per
 * action (model/liveness/temporal.ts), stated beside the machine as
 * spec/liveness.ts states the spec's. `refine --liveness` checks the spec's
 * temporal properties, seen through the abstraction function, on every
 * behaviour of the kernel's state graph that is fair in this sense.
 *
 * The kernel's own steps are fair; the users' choices (Access, AssignManager,
 * ClearManager, Map, Unmap, Yield) are not: a behaviour may never take them.
 * A pager is assumed to keep receiving and to answer what it holds, as the
 * spec assumes of its answers; the scheduler to give every runnable thread a
 * CPU; the timer to preempt. Strong fairness where the step can be disabled
 * and enabled again without being taken (a thread loses its CPU, a pager
 * runs its own code between answers), weak where only the step itself
 * disables it.
 */
import type { Fairness } from "../model/liveness/temporal.js";

export const KERNEL_FAIRNESS: readonly Fairness[] = [
  {
    action: ["Schedule", "Preempt"],
    kind: "strong",
    per: ["thread"],
    reason:
      "a runnable thread eventually runs on some CPU: an idle CPU takes the head of the run queue, and the timer preempts a thread in user mode (SF per thread that gets the CPU: it reaches the head of the queue again and again)",
  },
  {
    action: "Dispatch",
    kind: "strong",
    per: ["thread"],
    reason:
      "the zero level eventually decides every trapped fault: the kernel's, continuously enabled on the trapped CPU until it runs, or an architecture's runtime (L4Re's region mapper), which may lose its CPU between its chances",
  },
  {
    action: "DeliverFault",
    kind: "weak",
    per: ["thread"],
    reason: "the kernel eventually hands a trapped fault to the task's runtime (a kernel step, enabled until taken)",
  },
  {
    action: "HandleException",
    kind: "weak",
    per: ["thread"],
    reason: "the ordinary exception handling, outside the design, eventually deals with a general-protection fault",
  },
  {
    action: "Receive",
    kind: "strong",
    per: ["thread"],
    reason: "a pager (or runtime) that can wait for its next message again and again eventually does: it keeps receiving, and its FIFO queue then gives it every message sent to it",
  },
  {
    action: ["Resolve", "Resume", "Refuse"],
    kind: "strong",
    per: ["pager", "thread"],
    reason: "a pager eventually answers a fault message it holds and can answer again and again (it may lose its CPU, or fault, between answers)",
  },
  {
    action: "ForwardReply",
    kind: "strong",
    per: ["thread"],
    reason: "a runtime eventually passes on a pager's answer it holds",
  },
];
