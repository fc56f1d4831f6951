/**
 * Asynchronous IPC, as in the paper's kernel: a message is queued at its
 * receiver and the sender goes on (or blocks on its own account). A thread
 * waiting in Receive becomes runnable when a message arrives; the message is
 * moved into its registers when it next runs, and from then on the receiver
 * holds it until it answers (the `received` flag of the thread the message
 * is about).
 */
import { isPresent } from "../hw/bits.js";
import type { Kernel } from "./kernel.js";
import { release, runnable, makeReady, unqueue } from "./scheduler.js";
import type { Message, ThreadId, ThreadStatus } from "./types.js";
import { markerIn } from "./vm.js";

/** Queue a message (if the queue takes it); a thread waiting in Receive becomes runnable. */
export function send(k: Kernel, to: ThreadId, message: Message): void {
  const queue = k.state.queues[to]!;
  if (!k.rules.queues(queue, message)) return;
  queue.push(message);
  if (k.status(to).tag === "receiving") makeReady(k, to);
}

/** Drop `thread`'s fault message from `holder`'s queue (if still queued). */
export function withdraw(k: Kernel, holder: ThreadId, thread: ThreadId): void {
  const queue = k.state.queues[holder]!;
  const i = queue.findIndex((m) => m.thread === thread);
  if (i >= 0) queue.splice(i, 1);
  if (!runnable(k, holder)) unqueue(k, holder);
}

/** The head of `receiver`'s queue moves into its registers: from now on the receiver holds it. */
export function takeMessage(k: Kernel, receiver: ThreadId): void {
  const message = k.state.queues[receiver]!.shift();
  if (message === undefined) return;
  const s = k.status(message.thread);
  if (s.tag === "blocked" && s.handler === receiver) k.setStatus(message.thread, { ...s, received: true });
}

/** `thread` blocked on `handler` with a fresh message on its way there (not received, not answered). */
export function blockedOn(s: Extract<ThreadStatus, { tag: "blocked" }>, handler: ThreadId, change: { seen?: number; replied?: true } = {}): ThreadStatus {
  return { tag: "blocked", address: s.address, access: s.access, handler, seen: change.seen ?? s.seen, ...(change.replied === true ? { replied: true } : {}) };
}

/** The threads whose message `holder` has received and not yet answered, ascending. */
export function heldFaults(k: Kernel, holder: ThreadId): ThreadId[] {
  return k.state.threads.flatMap((s, t) => (s.tag === "blocked" && s.handler === holder && s.received === true ? [t] : []));
}

/** The messages `holder` holds, as it received them (read back from the thread control blocks they are about). */
export function heldMessages(k: Kernel, holder: ThreadId): Message[] {
  return heldFaults(k, holder).map((thread): Message => {
    const s = k.status(thread) as Extract<ThreadStatus, { tag: "blocked" }>;
    if (s.replied === true) return { kind: "resolved", thread };
    return { kind: "fault", thread, address: s.address, access: s.access, marker: markerIn(s.seen), present: isPresent(s.seen) };
  });
}

/**
 * The caller on `cpu` receives: the next queued message goes into its
 * registers and it returns to user mode, or it waits and the CPU goes to
 * `handoff` (or the run queue).
 */
export function receive(k: Kernel, cpu: number, caller: ThreadId, handoff?: ThreadId): void {
  if (k.state.queues[caller]!.length > 0) {
    takeMessage(k, caller);
    k.cpu(cpu).returnToUser();
    return;
  }
  k.setStatus(caller, { tag: "receiving" });
  release(k, cpu, handoff);
}
