/**
 * The scheduler: a FIFO run queue shared by the CPUs, and the switch of a
 * CPU to a thread. A thread that blocks hands its CPU to the thread it woke
 * when it can (IPC handoff, as L4 kernels do), else to the head of the run
 * queue; with nothing runnable the CPU idles in the kernel. The CPU counts
 * the context and mode switches itself (impl/hw/cpu.ts).
 */
import type { Kernel } from "./kernel.js";
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
  if (k.status(thread).tag === "receiving") k.received[thread] = k.state.queues[thread]!.shift() ?? null;
  k.setStatus(thread, { tag: "running", cpu });
  c.returnToUser();
}

/**
 * The thread on `cpu` has blocked or stopped: run `handoff` if it can run,
 * else the head of the run queue, else idle in the kernel.
 */
export function release(k: Kernel, cpu: number, handoff?: ThreadId): ThreadId | null {
  if (handoff !== undefined && runnable(k, handoff)) {
    switchTo(k, cpu, handoff);
    return handoff;
  }
  while (k.state.ready.length > 0) {
    const next = k.state.ready[0]!;
    if (runnable(k, next)) {
      switchTo(k, cpu, next);
      return next;
    }
    k.state.ready.shift();
  }
  return null;
}
