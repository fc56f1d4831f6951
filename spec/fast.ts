/**
 * The next-state relation and the invariants of spec/actions.ts and
 * spec/invariants.ts, again, over the canonical byte encoding of codec.ts:
 * the checker's fast path (StateMachine.expand / brokenInvariant), with no
 * state objects on the way. It is the same design written for speed, so the
 * tests hold it to the object version: the same successors (as a multiset)
 * and the same first broken invariant on every reachable state.
 * The design only: a mutant is checked through the object version.
 */
import { type SpecContext, range } from "./context.js";
import { encodedLength } from "./codec.js";
import { ACTION_NAMES } from "./next.js";
import { STOP_REASONS, type StopReason } from "./state.js";

// codec.ts's layout.
const PRESENT = 0x80;
const RW = 0x40;
const MAPPER_MASK = 0x3f;
const KERNEL_SPACE = 0x80;
const THREAD_BYTES = 5;
const RUNNING = 0;
const TRAPPED = 1;
const BLOCKED = 2;
const STOPPED = 3;
const WRITE = 1;
/** No invariant broken (above every invariant's index). */
const NONE = 1 << 30;

const action = (name: (typeof ACTION_NAMES)[number]): number => ACTION_NAMES.indexOf(name);
const ASSIGN = action("AssignManager");
const CLEAR = action("ClearManager");
const MAP = action("Map");
const UNMAP = action("Unmap");
const ACCESS = action("Access");
const DISPATCH = action("Dispatch");
const RESOLVE = action("Resolve");
const RESUME = action("Resume");
const REFUSE = action("Refuse");
const HANDLE = action("HandleException");
const reason = (r: StopReason): number => STOP_REASONS.indexOf(r);

/** Offsets of the encoding's parts for one configuration. */
export interface Layout {
  readonly length: number;
  readonly regionTable: number;
  readonly pageTable: number;
  readonly threads: number;
  readonly pending: number;
  readonly regions: number;
  readonly pages: number;
  /** pendingSlot[thread]: index of the thread's pending bytes when it is a pager, else -1. */
  readonly pendingSlot: readonly number[];
}

export function layoutOf(ctx: SpecContext): Layout {
  const { tasks, regionsPerTask: regions, pagesPerRegion: pages } = ctx.config;
  const regionTable = 0;
  const pageTable = tasks * regions;
  const threads = pageTable + 2 * tasks * regions * pages;
  const pending = threads + THREAD_BYTES * ctx.threadCount;
  const pendingSlot = range(ctx.threadCount).map((t) => ctx.pagers.indexOf(t));
  return { length: encodedLength(ctx), regionTable, pageTable, threads, pending, regions, pages, pendingSlot };
}

export function fastSpec(ctx: SpecContext): {
  expand: (state: Uint8Array, emit: (action: number, successor: Uint8Array) => void) => void;
  brokenInvariant: (state: Uint8Array) => number;
} {
  const L = layoutOf(ctx);
  const n = ctx.threadCount;
  const R = L.regions;
  const P = L.pages;
  const { tasks, markers, kernelAddresses } = ctx.config;
  const frames = ctx.config.frames.length;
  const taskOf = Int32Array.from(ctx.taskOf);
  const pagers = Int32Array.from(ctx.pagers);
  const frameOwner = Int32Array.from(ctx.frameOwner);
  const framesOf = range(n).map((t) => Int32Array.from(ctx.framesOf[t]!));
  const out = new Uint8Array(L.length);

  const entryAt = (task: number, region: number) => L.regionTable + task * R + region;
  const pageAt = (task: number, region: number, page: number) => L.pageTable + 2 * ((task * R + region) * P + page);
  const threadAt = (t: number) => L.threads + THREAD_BYTES * t;
  const pendingAt = (pager: number) => L.pending + 2 * L.pendingSlot[pager]!;
  const pendingBits = (s: Uint8Array, pager: number) => s[pendingAt(pager)]! | (s[pendingAt(pager) + 1]! << 8);
  const setPending = (s: Uint8Array, pager: number, bits: number) => {
    s[pendingAt(pager)] = bits & 0xff;
    s[pendingAt(pager) + 1] = bits >> 8;
  };
  const setStatus = (s: Uint8Array, t: number, tag: number, a0: number, a1: number, x: number, y: number) => {
    const at = threadAt(t);
    s[at] = tag;
    s[at + 1] = a0;
    s[at + 2] = a1;
    s[at + 3] = x;
    s[at + 4] = y;
  };
  const setRunning = (s: Uint8Array, t: number) => setStatus(s, t, RUNNING, 0, 0, 0, 0);
  const setStopped = (s: Uint8Array, t: number, why: number) => setStatus(s, t, STOPPED, why, 0, 0, 0);
  const running = (s: Uint8Array, t: number) => s[threadAt(t)] === RUNNING;
  const allows = (pte0: number, write: number) => (pte0 & RW) !== 0 || write === 0;

  /** Decision D1 on `out`: flush the region, release the threads blocked on it, reset acceptance. */
  const reassign = (s: Uint8Array, task: number, region: number, managerPlusOne: number) => {
    out.set(s);
    for (let p = 0; p < P; p++) {
      const at = pageAt(task, region, p);
      out[at] = 0;
      out[at + 1] = 0;
    }
    for (let u = 0; u < n; u++) {
      if (taskOf[u] !== task) continue;
      const at = threadAt(u);
      if (s[at] !== BLOCKED || (s[at + 1]! & KERNEL_SPACE) !== 0 || s[at + 1] !== region) continue;
      const q = s[at + 3]! >> 1;
      setPending(out, q, pendingBits(out, q) & ~(1 << u));
      setRunning(out, u);
    }
    out[entryAt(task, region)] = managerPlusOne << 1;
  };

  const samePage = (s: Uint8Array, at: number, frame: number, rw: number, manager: number) =>
    s[at] === (PRESENT | (rw ? RW : 0) | manager) && s[at + 1] === frame;

  const waitsFor = (s: Uint8Array, pager: number, thread: number): boolean => {
    let current = pager;
    for (let hops = 0; hops < n; hops++) {
      const at = threadAt(current);
      if (s[at] !== BLOCKED) return false;
      const next = s[at + 3]! >> 1;
      if (next === thread) return true;
      current = next;
    }
    return false;
  };

  const expand = (s: Uint8Array, emit: (action: number, successor: Uint8Array) => void): void => {
    // AssignManager / ClearManager
    for (let t = 0; t < n; t++) {
      if (!running(s, t)) continue;
      const task = taskOf[t]!;
      for (let r = 0; r < R; r++) {
        const current = s[entryAt(task, r)]! >> 1;
        for (let i = 0; i < pagers.length; i++) {
          const m = pagers[i]!;
          if (current === m + 1) continue;
          reassign(s, task, r, m + 1);
          emit(ASSIGN, out);
        }
      }
    }
    for (let t = 0; t < n; t++) {
      if (!running(s, t)) continue;
      const task = taskOf[t]!;
      for (let r = 0; r < R; r++) {
        if (s[entryAt(task, r)]! >> 1 === 0) continue;
        reassign(s, task, r, 0);
        emit(CLEAR, out);
      }
    }
    // Map
    for (let i = 0; i < pagers.length; i++) {
      const m = pagers[i]!;
      if (!running(s, m)) continue;
      const owned = framesOf[m]!;
      for (let task = 0; task < tasks; task++)
        for (let r = 0; r < R; r++) {
          const e = entryAt(task, r);
          if (s[e]! >> 1 !== m + 1) continue;
          for (let p = 0; p < P; p++) {
            const at = pageAt(task, r, p);
            for (let k = 0; k < owned.length; k++)
              for (let rw = 0; rw < 2; rw++) {
                const f = owned[k]!;
                if (samePage(s, at, f, rw, m)) continue;
                out.set(s);
                out[at] = PRESENT | (rw ? RW : 0) | m;
                out[at + 1] = f;
                out[e] = s[e]! | 1;
                emit(MAP, out);
              }
          }
        }
    }
    // Unmap
    for (let i = 0; i < pagers.length; i++) {
      const m = pagers[i]!;
      if (!running(s, m)) continue;
      for (let task = 0; task < tasks; task++)
        for (let r = 0; r < R; r++) {
          const e = entryAt(task, r);
          if (s[e]! >> 1 !== m + 1) continue;
          for (let p = 0; p < P; p++) {
            const at = pageAt(task, r, p);
            if ((s[at]! & PRESENT) === 0) continue;
            let othersPresent = false;
            for (let q = 0; q < P; q++) if (q !== p && (s[pageAt(task, r, q)]! & PRESENT) !== 0) othersPresent = true;
            for (let k = 0; k < markers; k++) {
              out.set(s);
              out[at] = 0;
              out[at + 1] = k;
              emit(UNMAP, out);
              if (!othersPresent) {
                // REVOKE_AGREEMENT with the last piece of memory (D2).
                out[e] = (m + 1) << 1;
                for (let u = 0; u < n; u++) {
                  if (taskOf[u] !== task) continue;
                  const ut = threadAt(u);
                  if (s[ut] !== BLOCKED || (s[ut + 1]! & KERNEL_SPACE) !== 0 || s[ut + 1] !== r || s[ut + 3]! >> 1 !== m) continue;
                  setPending(out, m, pendingBits(out, m) & ~(1 << u));
                  setStopped(out, u, REVOKED);
                }
              }
              emit(UNMAP, out);
            }
          }
        }
    }
    // Access
    for (let t = 0; t < n; t++) {
      if (!running(s, t)) continue;
      const task = taskOf[t]!;
      for (let r = 0; r < R; r++)
        for (let p = 0; p < P; p++) {
          const pte0 = s[pageAt(task, r, p)]!;
          for (let w = 0; w < 2; w++) {
            if ((pte0 & PRESENT) !== 0 && allows(pte0, w)) {
              emit(ACCESS, s);
              continue;
            }
            out.set(s);
            setStatus(out, t, TRAPPED, r, p, w, 0);
            emit(ACCESS, out);
          }
        }
      for (let k = 0; k < kernelAddresses; k++)
        for (let w = 0; w < 2; w++) {
          out.set(s);
          setStatus(out, t, TRAPPED, KERNEL_SPACE | k, 0, w, 0);
          emit(ACCESS, out);
        }
    }
    // Dispatch (the zero level)
    for (let t = 0; t < n; t++) {
      const at = threadAt(t);
      if (s[at] !== TRAPPED) continue;
      out.set(s);
      const a0 = s[at + 1]!;
      const w = s[at + 3]! & WRITE;
      if ((a0 & KERNEL_SPACE) !== 0) setStopped(out, t, KERNEL);
      else {
        const task = taskOf[t]!;
        const e = s[entryAt(task, a0)]!;
        const pte = pageAt(task, a0, s[at + 2]!);
        const pte0 = s[pte]!;
        const pager = (e >> 1) - 1;
        if (pager < 0) setStopped(out, t, NO_MANAGER);
        else if ((e & 1) === 0) setStopped(out, t, NOT_ACCEPTED);
        else if ((pte0 & PRESENT) !== 0 && allows(pte0, w)) setRunning(out, t);
        else if (pager === t) setStopped(out, t, SELF_MANAGED);
        else if (waitsFor(s, pager, t)) setStopped(out, t, WAIT_CYCLE);
        else {
          out[at] = BLOCKED;
          out[at + 3] = w | (pager << 1);
          out[at + 4] = (pte0 & PRESENT) !== 0 ? PRESENT | ((pte0 & RW) !== 0 ? 1 : 0) : s[pte + 1]!;
          setPending(out, pager, pendingBits(s, pager) | (1 << t));
        }
      }
      emit(DISPATCH, out);
    }
    // Resolve / Resume / Refuse: the pager's reply to a pending fault.
    for (let i = 0; i < pagers.length; i++) {
      const m = pagers[i]!;
      if (!running(s, m)) continue;
      const bits = pendingBits(s, m);
      if (bits === 0) continue;
      const owned = framesOf[m]!;
      for (let t = 0; t < n; t++) {
        if ((bits & (1 << t)) === 0) continue;
        const at = threadAt(t);
        if (s[at] !== BLOCKED || (s[at + 1]! & KERNEL_SPACE) !== 0) continue;
        const task = taskOf[t]!;
        const e = entryAt(task, s[at + 1]!);
        if (s[e]! >> 1 !== m + 1) continue;
        const pte = pageAt(task, s[at + 1]!, s[at + 2]!);
        const w = s[at + 3]! & WRITE;
        for (let k = 0; k < owned.length; k++)
          for (let rw = w; rw < 2; rw++) {
            const f = owned[k]!;
            if (samePage(s, pte, f, rw, m)) continue;
            out.set(s);
            out[pte] = PRESENT | (rw ? RW : 0) | m;
            out[pte + 1] = f;
            out[e] = s[e]! | 1;
            setPending(out, m, bits & ~(1 << t));
            setRunning(out, t);
            emit(RESOLVE, out);
          }
      }
    }
    for (let i = 0; i < pagers.length; i++) {
      const m = pagers[i]!;
      if (!running(s, m)) continue;
      const bits = pendingBits(s, m);
      for (let t = 0; t < n; t++) {
        if ((bits & (1 << t)) === 0) continue;
        const at = threadAt(t);
        if (s[at] !== BLOCKED || (s[at + 1]! & KERNEL_SPACE) !== 0) continue;
        const pte0 = s[pageAt(taskOf[t]!, s[at + 1]!, s[at + 2]!)]!;
        if ((pte0 & PRESENT) === 0 || !allows(pte0, s[at + 3]! & WRITE)) continue;
        out.set(s);
        setPending(out, m, bits & ~(1 << t));
        setRunning(out, t);
        emit(RESUME, out);
      }
    }
    for (let i = 0; i < pagers.length; i++) {
      const m = pagers[i]!;
      if (!running(s, m)) continue;
      const bits = pendingBits(s, m);
      for (let t = 0; t < n; t++) {
        if ((bits & (1 << t)) === 0 || s[threadAt(t)] !== BLOCKED) continue;
        out.set(s);
        setPending(out, m, bits & ~(1 << t));
        setStopped(out, t, REFUSED);
        emit(REFUSE, out);
      }
    }
    // HandleException
    for (let t = 0; t < n; t++) {
      if (s[threadAt(t)] !== STOPPED) continue;
      out.set(s);
      setRunning(out, t);
      emit(HANDLE, out);
    }
  };

  /** SPEC_INVARIANTS' order: the index of the first that fails, or -1 (no allocation: it runs on every new state). */
  const brokenInvariant = (s: Uint8Array): number => {
    let broken = NONE;
    for (let t = 0; t < n; t++) {
      const at = threadAt(t);
      let queues = 0;
      let queuedAt = -1;
      for (let i = 0; i < pagers.length; i++) {
        if ((pendingBits(s, pagers[i]!) & (1 << t)) === 0) continue;
        queues++;
        queuedAt = pagers[i]!;
      }
      if (s[at] !== BLOCKED) {
        if (queues !== 0) broken = Math.min(broken, 7);
        continue;
      }
      const pager = s[at + 3]! >> 1;
      if (queues !== 1 || queuedAt !== pager || pager === t) broken = Math.min(broken, 7);
      const seen = s[at + 4]!;
      if ((seen & PRESENT) !== 0 && ((seen & 1) !== 0 || (s[at + 3]! & WRITE) === 0)) broken = Math.min(broken, 2);
      if ((s[at + 1]! & KERNEL_SPACE) !== 0) {
        broken = Math.min(broken, 0);
        continue;
      }
      const e = s[entryAt(taskOf[t]!, s[at + 1]!)]!;
      if (e >> 1 === 0 || (e & 1) === 0) broken = Math.min(broken, 0);
      if (e >> 1 !== pager + 1 || (e & 1) === 0) broken = Math.min(broken, 1);
    }
    if (broken === 0) return 0;
    for (let task = 0; task < tasks; task++)
      for (let r = 0; r < R; r++) {
        const e = s[entryAt(task, r)]!;
        const manager = (e >> 1) - 1;
        for (let p = 0; p < P; p++) {
          const at = pageAt(task, r, p);
          const pte0 = s[at]!;
          if ((pte0 & PRESENT) === 0) continue;
          const mapper = pte0 & MAPPER_MASK;
          if (mapper !== manager && taskOf[mapper] === task) broken = Math.min(broken, 3);
          if (mapper !== manager) broken = Math.min(broken, 4);
          if (frameOwner[s[at + 1]!] !== mapper) broken = Math.min(broken, 5);
          if (mapper === manager && (e & 1) === 0) broken = Math.min(broken, 6);
        }
      }
    return broken === NONE ? -1 : broken;
  };

  void frames;
  return { expand, brokenInvariant };
}

const KERNEL = reason("kernel-space");
const NO_MANAGER = reason("no-manager");
const NOT_ACCEPTED = reason("not-accepted");
const SELF_MANAGED = reason("self-managed");
const WAIT_CYCLE = reason("wait-cycle");
const REFUSED = reason("refused");
const REVOKED = reason("revoked");
