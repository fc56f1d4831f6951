/**
 * Asynchronous IPC, as in the paper's kernel: a message is queued at its
 * receiver and the sender goes on (or blocks on its own account). A thread
 * waiting in Receive becomes runnable when a message arrives; the message is
 * moved into its registers when it next runs.
 */
import type { Kernel } from "./kernel.js";
import { release, runnable, makeReady, unqueue } from "./scheduler.js";
import type { Message, ThreadId } from "./types.js";

/** Queue a message; a thread waiting in Receive becomes runnable. */
export function send(k: Kernel, to: ThreadId, message: Message): void {
  k.state.queues[to]!.push(message);
  if (k.status(to).tag === "receiving") makeReady(k, to);
}

/** Drop `thread`'s fault message from `holder`'s queue (if still queued). */
export function withdraw(k: Kernel, holder: ThreadId, thread: ThreadId): void {
  const queue = k.state.queues[holder]!;
  const i = queue.findIndex((m) => m.thread === thread);
  if (i >= 0) queue.splice(i, 1);
  if (!runnable(k, holder)) unqueue(k, holder);
}

/**
 * The caller on `cpu` receives: the next queued message goes into its
 * registers and it returns to user mode, or it waits and the CPU goes to
 * `handoff` (or the run queue).
 */
export function receive(k: Kernel, cpu: number, caller: ThreadId, handoff?: ThreadId): void {
  const queue = k.state.queues[caller]!;
  if (queue.length > 0) {
    k.received[caller] = queue.shift()!;
    k.cpu(cpu).returnToUser();
    return;
  }
  k.setStatus(caller, { tag: "receiving" });
  release(k, cpu, handoff);
}
