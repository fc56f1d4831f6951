/**
 * The program of an architecture's runtime thread (L4Re's region mapper),
 * written once for the model checker's machine (impl/machine.ts) and the
 * Table I workload (impl/workload.ts): answer each message it holds with the
 * answer the architecture prescribes (its decision on a fault, or the pass-on
 * of an answer travelling back), and wait for the next message when it holds
 * none. It makes no other call.
 */
import { heldFaults } from "../kernel/ipc.js";
import type { Kernel } from "../kernel/kernel.js";
import { prescribedAnswer } from "../kernel/syscalls.js";
import type { Syscall, ThreadId } from "../kernel/types.js";

export function runtimeCalls(k: Kernel, runtime: ThreadId): Syscall[] {
  const held = heldFaults(k, runtime);
  if (held.length === 0) return [{ call: "Receive" }];
  return held.flatMap((thread) => {
    const answer = prescribedAnswer(k, runtime, thread);
    return answer === null ? [] : [answer];
  });
}
