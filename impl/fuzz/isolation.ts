/**
 * Isolation, checked after every kernel step of a fuzz run. A breach is one
 * line saying what broke:
 * - the concrete kernel's invariants (impl/machine.ts): every present user
 *   page maps a frame its region's manager owns, no TLB entry outlives or
 *   outranks its page-table entry, no region table is ever present to the
 *   MMU, no region is accepted without a map;
 * - the kernel part of every page directory is as booted (nobody maps or
 *   unmaps outside the user part);
 * and around every system call:
 * - a call that returns an error changes nothing (the whole state's
 *   encoding is compared);
 * - a successful Map or Resolve maps exactly the named frame, at the named
 *   page, and the caller owned that frame and (where there is a region
 *   table) managed that region before the call.
 */
import { ENTRIES_PER_TABLE, PTE_A, PTE_RW, entryAddress, isPresent, pageBase } from "../hw/bits.js";
import type { KernelMachine } from "../machine.js";
import type { Kernel } from "../kernel/kernel.js";
import { isUserAddress, regionOf, regionSlot, userPageAddress } from "../kernel/layout.js";
import { encodeState } from "../kernel/state.js";
import type { Syscall, ThreadId } from "../kernel/types.js";

/** What a successful call must have done, fixed before the call. */
export interface CallExpectation {
  /** The whole state's encoding before the call. */
  readonly before: Uint8Array;
  /** Map / Resolve: where the frame must then be mapped, and whether the caller was entitled to it. */
  readonly mapping: { readonly task: number; readonly linear: number; readonly frame: number; readonly rights: "ro" | "rw"; readonly entitled: boolean } | null;
}

export class IsolationCheck {
  /** Per task: the kernel-part words of its page directory as booted (user slots left out). */
  private readonly bootDirectories: Uint32Array[];
  private readonly userSlots: ReadonlySet<number>;
  /** Reused for every check: the words of the directory being compared. */
  private readonly scratch = new Uint32Array(ENTRIES_PER_TABLE);

  constructor(
    boot: Kernel,
    private readonly machine: KernelMachine,
  ) {
    this.userSlots = new Set(Array.from({ length: boot.layout.regions }, (_, region) => regionSlot(boot.layout, region)));
    this.bootDirectories = Array.from({ length: boot.config.tasks }, (_, task) => this.kernelPart(boot, task));
  }

  /** A page directory's words with its user slots zeroed, into `into` (a fresh array unless given one to reuse). */
  private kernelPart(k: Kernel, task: number, into = new Uint32Array(ENTRIES_PER_TABLE)): Uint32Array {
    k.memory.readFrame(k.pageDirectory(task), into);
    for (const slot of this.userSlots) into[slot] = 0;
    return into;
  }

  /**
   * After any kernel step: null, or the breach. `kernelRan`: the step ran
   * kernel code that writes memory (a system call, a dispatch); after a user
   * access, a schedule or a restart only the MMU wrote (A and D bits), so the
   * page directories' kernel part is not read again.
   */
  afterStep(k: Kernel, kernelRan: boolean): string | null {
    for (const invariant of this.machine.invariants) if (!invariant.holds(k.state)) return `invariant ${invariant.name} violated`;
    if (!kernelRan) return null;
    for (let task = 0; task < k.config.tasks; task++) {
      const now = this.kernelPart(k, task, this.scratch);
      const booted = this.bootDirectories[task]!;
      for (let slot = 0; slot < ENTRIES_PER_TABLE; slot++) {
        // A is the MMU's own mark of a walk through the entry (the kernel's loads of its region table), not a change of mapping.
        if (((now[slot]! ^ booted[slot]!) & ~PTE_A) !== 0) {
          return `task ${task}: kernel page-directory slot ${slot} changed from 0x${booted[slot]!.toString(16)} to 0x${now[slot]!.toString(16)}`;
        }
      }
    }
    return null;
  }

  /** Before a call of `caller` (decoded: null when the registers decode to an error). */
  beforeCall(k: Kernel, caller: ThreadId, call: Syscall | null): CallExpectation {
    return { before: encodeState(k.state), mapping: call === null ? null : expectedMapping(k, caller, call) };
  }

  /** After the call: null, or the breach. */
  afterCall(k: Kernel, caller: ThreadId, ok: boolean, expectation: CallExpectation): string | null {
    if (!ok) {
      const after = encodeState(k.state);
      const same = after.length === expectation.before.length && after.every((byte, i) => byte === expectation.before[i]);
      return same ? null : "a call that returned an error changed the state";
    }
    const mapping = expectation.mapping;
    if (mapping === null) return null;
    if (!mapping.entitled) return `thread ${caller} mapped frame ${mapping.frame} at 0x${mapping.linear.toString(16)} of task ${mapping.task} without owning the frame or managing the region`;
    const pte = k.pte(mapping.task, mapping.linear);
    if (!isPresent(pte) || entryAddress(pte) !== k.placement.userFrame(mapping.frame)) {
      return `after a successful map of frame ${mapping.frame}, 0x${mapping.linear.toString(16)} of task ${mapping.task} has PTE 0x${pte.toString(16)}`;
    }
    if (((pte & PTE_RW) !== 0) !== (mapping.rights === "rw")) return `after a successful ${mapping.rights} map, PTE 0x${pte.toString(16)} has other rights`;
    return null;
  }
}

/** May `caller` map `frame` at (task, linear)? It owns the frame and, where the task has a region table, manages the region. */
function entitled(k: Kernel, caller: ThreadId, task: number, linear: number, frame: number): boolean {
  if (k.config.frames[frame] !== caller) return false;
  if (!k.hasRegionTable(task)) return true;
  return k.regionEntry(task, regionOf(k.layout, linear)).manager === caller;
}

function expectedMapping(k: Kernel, caller: ThreadId, call: Syscall): CallExpectation["mapping"] {
  if (call.call === "Map") {
    if (call.task >= k.config.tasks || call.region >= k.layout.regions || call.page >= k.layout.pagesPerRegion || call.frame >= k.config.frames.length) return null;
    const linear = userPageAddress(k.layout, call.region, call.page);
    return { task: call.task, linear, frame: call.frame, rights: call.rights, entitled: entitled(k, caller, call.task, linear, call.frame) };
  }
  if (call.call === "Resolve") {
    if (call.thread >= k.config.threads.length || call.frame >= k.config.frames.length) return null;
    const s = k.status(call.thread);
    if (s.tag !== "blocked" || !isUserAddress(k.layout, s.address)) return null;
    const task = k.taskOf(call.thread);
    const linear = pageBase(s.address);
    return { task, linear, frame: call.frame, rights: call.rights, entitled: entitled(k, caller, task, linear, call.frame) };
  }
  return null;
}
