/**
 * Symmetry reduction for `check --symmetry`: threads of the same task and
 * role are interchangeable (nothing in the design tells two consumers of a
 * task apart, or two pagers of a task with as many frames), and so are the
 * frames of one pager. canonicalize maps an encoded state to the smallest
 * (byte-wise) encoding among its images under every such permutation, so the
 * checker keeps one state per orbit. The permutations preserve every action
 * and every invariant: they rename thread and frame numbers consistently
 * (a pager's frames go with it) and keep each thread's task.
 *
 * The mutant "per-thread-pager" sends every fault to the lowest-numbered
 * pager, which sets the pagers apart: under it only non-pagers are permuted.
 */
import { type SpecContext, range } from "./context.js";
import { layoutOf } from "./fast.js";

const PRESENT = 0x80;
const MAPPER_MASK = 0x3f;
const THREAD_BYTES = 5;
const BLOCKED = 2;

/** A renaming of threads and frames: thread t becomes threads[t], frame f becomes frames[f]. */
interface Renaming {
  readonly threads: Int32Array;
  readonly frames: Int32Array;
}

function permutations(items: readonly number[]): number[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((first, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [first, ...rest]));
}

/** Every renaming of the symmetry group (the identity first). */
export function symmetryGroup(ctx: SpecContext): Renaming[] {
  const n = ctx.threadCount;
  const frameCount = ctx.config.frames.length;
  const pagersMove = ctx.mutant !== "per-thread-pager";
  // Classes of interchangeable threads: same task, same role, and for pagers as many frames.
  const classes = new Map<string, number[]>();
  for (let t = 0; t < n; t++) {
    const fixed = ctx.isPager[t] && !pagersMove;
    const key = fixed ? `fixed ${t}` : `${ctx.taskOf[t]} ${ctx.isPager[t] ? `pager ${ctx.framesOf[t]!.length}` : "thread"}`;
    classes.set(key, [...(classes.get(key) ?? []), t]);
  }
  let renamings: Renaming[] = [{ threads: Int32Array.from(range(n)), frames: Int32Array.from(range(frameCount)) }];
  for (const members of classes.values()) {
    if (members.length < 2) continue;
    const next: Renaming[] = [];
    for (const renaming of renamings)
      for (const image of permutations(members)) {
        const threads = renaming.threads.slice();
        const frames = renaming.frames.slice();
        members.forEach((t, i) => {
          threads[t] = image[i]!;
          // A pager's frames follow it, in order.
          ctx.framesOf[t]!.forEach((f, k) => (frames[f] = ctx.framesOf[image[i]!]![k]!));
        });
        next.push({ threads, frames });
      }
    renamings = next;
  }
  // The frames of one pager are interchangeable among themselves.
  for (const pager of ctx.pagers) {
    const own = ctx.framesOf[pager]!;
    if (own.length < 2) continue;
    const next: Renaming[] = [];
    for (const renaming of renamings)
      for (const image of permutations(own)) {
        const frames = renaming.frames.slice();
        own.forEach((f, i) => (frames[f] = renaming.frames[image[i]!]!));
        next.push({ threads: renaming.threads, frames });
      }
    renamings = next;
  }
  return renamings;
}

/** The canonicalize hook for StateMachine: the byte-wise smallest image of the state. */
export function canonicalizer(ctx: SpecContext): (state: Uint8Array) => Uint8Array {
  const group = symmetryGroup(ctx).slice(1);
  const L = layoutOf(ctx);
  const n = ctx.threadCount;
  const regionBytes = L.pageTable - L.regionTable;
  const pageCount = (L.threads - L.pageTable) / 2;
  const image = new Uint8Array(L.length);
  const best = new Uint8Array(L.length);

  const rename = (s: Uint8Array, r: Renaming): void => {
    const { threads, frames } = r;
    for (let i = 0; i < regionBytes; i++) {
      const e = s[L.regionTable + i]!;
      const manager = e >> 1;
      image[L.regionTable + i] = manager === 0 ? e : ((threads[manager - 1]! + 1) << 1) | (e & 1);
    }
    for (let i = 0; i < pageCount; i++) {
      const at = L.pageTable + 2 * i;
      const pte0 = s[at]!;
      if ((pte0 & PRESENT) === 0) {
        image[at] = pte0;
        image[at + 1] = s[at + 1]!;
      } else {
        image[at] = (pte0 & ~MAPPER_MASK) | threads[pte0 & MAPPER_MASK]!;
        image[at + 1] = frames[s[at + 1]!]!;
      }
    }
    for (let t = 0; t < n; t++) {
      const from = L.threads + THREAD_BYTES * t;
      const to = L.threads + THREAD_BYTES * threads[t]!;
      image[to] = s[from]!;
      image[to + 1] = s[from + 1]!;
      image[to + 2] = s[from + 2]!;
      const x = s[from + 3]!;
      image[to + 3] = s[from] === BLOCKED ? (x & 1) | (threads[x >> 1]! << 1) : x;
      image[to + 4] = s[from + 4]!;
    }
    for (const pager of ctx.pagers) {
      const from = L.pending + 2 * L.pendingSlot[pager]!;
      const bits = s[from]! | (s[from + 1]! << 8);
      let renamed = 0;
      for (let t = 0; t < n; t++) if ((bits & (1 << t)) !== 0) renamed |= 1 << threads[t]!;
      const to = L.pending + 2 * L.pendingSlot[threads[pager]!]!;
      image[to] = renamed & 0xff;
      image[to + 1] = renamed >> 8;
    }
  };

  return (state) => {
    if (group.length === 0) return state;
    best.set(state);
    let changed = false;
    for (const r of group) {
      rename(state, r);
      for (let i = 0; i < image.length; i++) {
        if (image[i] === best[i]) continue;
        if (image[i]! < best[i]!) {
          best.set(image);
          changed = true;
        }
        break;
      }
    }
    return changed ? best.slice() : state;
  };
}
