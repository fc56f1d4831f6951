/**
 * The kernel paths a fuzz run must reach, and which one a successful call
 * took, judged from what the call changed (thread statuses, present pages
 * of the region it named), never from the generator's intent:
 *   map                     a Map done;
 *   resolve                 a fault answered with a mapping;
 *   resume                  a fault answered without one (the page was there,
 *                           or L4Re's region mapper passes an answer on);
 *   revoke-with-blocked     an Unmap with REVOKE_AGREEMENT that ended the
 *                           agreement while faults waited in the region: they
 *                           stopped with a general-protection fault;
 *   reassign-with-mappings  AssignManager or ClearManager on a region that had
 *                           present pages (decision D1 flushes them).
 */
import type { Architecture } from "../kernel/architecture.js";
import type { Kernel } from "../kernel/kernel.js";
import type { Syscall, ThreadId, ThreadStatus } from "../kernel/types.js";

export type PathName = "map" | "resolve" | "resume" | "revoke-with-blocked" | "reassign-with-mappings";
export const PATH_NAMES: readonly PathName[] = ["map", "resolve", "resume", "revoke-with-blocked", "reassign-with-mappings"];

/** The paths an architecture has at all: those whose system call it offers. */
export function pathsOf(arch: Architecture): PathName[] {
  const has = (call: Syscall["call"]): boolean => arch.syscalls.has(call);
  return PATH_NAMES.filter((path) =>
    path === "map" ? has("Map") : path === "resolve" ? has("Resolve") : path === "resume" ? has("Resume") : path === "revoke-with-blocked" ? has("Unmap") : has("AssignManager"),
  );
}

/** What a call's path is judged by, read before the call. */
export interface PathProbe {
  readonly statuses: readonly ThreadStatus[];
  /** AssignManager / ClearManager of a region in range: its present pages before the call. */
  readonly presentBefore: number;
}

export function probeBefore(k: Kernel, caller: ThreadId, call: Syscall | null): PathProbe {
  const reassigns = call !== null && (call.call === "AssignManager" || call.call === "ClearManager") && call.region < k.layout.regions;
  return { statuses: [...k.state.threads], presentBefore: reassigns ? k.presentPages(k.taskOf(caller), call.region) : 0 };
}

/** The path a successful `call` took, or null for one of no interest (Yield, Receive, a Map that changed nothing is still a map). */
export function pathTaken(k: Kernel, call: Syscall, probe: PathProbe): PathName | null {
  switch (call.call) {
    case "Map":
      return "map";
    case "Resolve":
      return "resolve";
    case "Resume":
      return "resume";
    case "Unmap": {
      const stoppedByRevoke = probe.statuses.some((before, t) => {
        const now = k.status(t);
        return before.tag === "blocked" && now.tag === "stopped" && now.reason === "revoked";
      });
      return stoppedByRevoke ? "revoke-with-blocked" : null;
    }
    case "AssignManager":
    case "ClearManager":
      return probe.presentBefore > 0 ? "reassign-with-mappings" : null;
    default:
      return null;
  }
}
