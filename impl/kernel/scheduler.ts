/**
 * The scheduler: a FIFO run queue shared by the CPUs, and the switch of a
 * CPU to a thread. A thread that blocks hands its CPU to the thread it woke
 * when it can (IPC handoff, as L4 kernels do), else to the first thread of
 * the run queue that may run there; with nothing runnable the CPU idles in
 * the kernel. A timer interrupt preempts a thread running in user mode. The
 * CPU counts the context and mode switches itself (impl/hw/cpu.ts).
 */
import type { Kernel } from "./kernel.js";
import { takeMessage } from "./ipc.js";
import type { ThreadId } from "./types.js";

/** Can `thread` be given a CPU now? Ready, or waiting in Receive with a message queued. */
export function runnable(k: Kernel, thread: ThreadId): boolean {
  const s = k.status(thread);
  return s.tag === "ready" || (s.tag === "receiving" && k.state.queues[thread]!.length > 0);
}

/** Put `thread` at the tail of the run queue (a thread in Receive stays in Receive until it runs). */
export function makeReady(k: Kernel, thread: ThreadId): void {
  if (k.status(thread).tag !== "receiving") k.setStatus(thread, { tag: "ready" });
  if (!k.state.ready.includes(thread)) k.state.ready.push(thread);
}

export function unqueue(k: Kernel, thread: ThreadId): void {
  const i = k.state.ready.indexOf(thread);
  if (i >= 0) k.state.ready.splice(i, 1);
}

/**
 * Give `cpu` to `thread`: the CPU's thread switch (a context switch when it
 * differs from the last one), its address space, a pending Receive
 * completed, and the return to user mode.
 */
export function switchTo(k: Kernel, cpu: number, thread: ThreadId): void {
  const c = k.cpu(cpu);
  unqueue(k, thread);
  const pd = k.pageDirectory(k.taskOf(thread));
  c.switchThread(thread);
  if (c.cr3 !== pd) c.loadCr3(pd);
  if (k.status(thread).tag === "receiving") takeMessage(k, thread);
  k.setStatus(thread, { tag: "running", cpu });
  c.returnToUser();
}

/** The thread the scheduler would give `cpu` next: the first runnable thread of the run queue that may run there. */
export function nextFor(k: Kernel, cpu: number): ThreadId | null {
  return k.state.ready.find((t) => runnable(k, t) && k.rules.mayRun(k.cpu(cpu), t)) ?? null;
}

/**
 * The thread on `cpu` has blocked or stopped: run `handoff` if it can run
 * there, else the next thread of the run queue, else idle in the kernel.
 * Threads at the head of the queue that can no longer run leave it on the way.
 */
export function release(k: Kernel, cpu: number, handoff?: ThreadId): ThreadId | null {
  if (handoff !== undefined && runnable(k, handoff) && k.rules.mayRun(k.cpu(cpu), handoff)) {
    switchTo(k, cpu, handoff);
    return handoff;
  }
  while (k.state.ready.length > 0 && !runnable(k, k.state.ready[0]!)) k.state.ready.shift();
  const next = nextFor(k, cpu);
  if (next !== null) switchTo(k, cpu, next);
  return next;
}

/**
 * The timer interrupt on `cpu`, whose thread runs in user mode: the thread
 * goes to the tail of the run queue and the CPU goes to the next thread that
 * may run there. Null (and nothing changed) when there is none.
 */
export function preempt(k: Kernel, cpu: number): ThreadId | null {
  const current = k.threadOn(cpu);
  if (current === null || k.status(current).tag !== "running" || nextFor(k, cpu) === null) return null;
  k.cpu(cpu).enterKernel("interrupt");
  makeReady(k, current);
  return release(k, cpu);
}
