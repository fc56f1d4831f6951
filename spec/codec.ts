/**
 * Canonical, compact byte encoding of a SpecState for one configuration: a
 * fixed-length record, one byte per small field, so two states are equal
 * exactly when their encodings are equal. The configuration bounds
 * (config-schema.ts LIMITS) keep every field within its bits.
 *
 * Layout, in order:
 *   region table   1 byte per (task, region): (manager + 1) << 1 | accepted   (manager + 1 = 0: none)
 *   page table     2 bytes per (task, region, page):
 *                    present: PRESENT | rw << 6 | mapper, frame
 *                    not present: 0, marker
 *   threads        5 bytes per thread: tag, address (2), access | pager << 1, seen
 *   pending        2 bytes per pager thread: bit t set when thread t's message waits there
 */
import { type SpecContext, range } from "./context.js";
import {
  type AccessKind,
  type Address,
  type Page,
  type PteSnapshot,
  type RegionEntry,
  type Rights,
  STOP_REASONS,
  type SpecState,
  type ThreadStatus,
} from "./state.js";

const PRESENT = 0x80;
const RW = 0x40;
const MAPPER_MASK = 0x3f;
const KERNEL_SPACE = 0x80;
const INDEX_MASK = 0x7f;
const THREAD_BYTES = 5;
const TAG = { running: 0, trapped: 1, blocked: 2, stopped: 3 } as const;

export function encodedLength(ctx: SpecContext): number {
  const { tasks, regionsPerTask, pagesPerRegion } = ctx.config;
  return tasks * regionsPerTask * (1 + 2 * pagesPerRegion) + THREAD_BYTES * ctx.threadCount + 2 * ctx.pagers.length;
}

const accessBit = (a: AccessKind): number => (a === "write" ? 1 : 0);
const rightsBit = (r: Rights): number => (r === "rw" ? 1 : 0);

function encodeAddress(a: Address): [number, number] {
  return a.space === "user" ? [a.region, a.page] : [KERNEL_SPACE | a.index, 0];
}

function decodeAddress(b0: number, b1: number): Address {
  return b0 & KERNEL_SPACE ? { space: "kernel", index: b0 & INDEX_MASK } : { space: "user", region: b0, page: b1 };
}

function encodeSeen(seen: PteSnapshot): number {
  return seen.present ? PRESENT | rightsBit(seen.rights) : seen.marker;
}

function decodeSeen(b: number): PteSnapshot {
  return b & PRESENT ? { present: true, rights: b & 1 ? "rw" : "ro" } : { present: false, marker: b };
}

export function encode(ctx: SpecContext, s: SpecState): Uint8Array {
  const out = new Uint8Array(encodedLength(ctx));
  let i = 0;
  for (const regions of s.regionTable)
    for (const e of regions) out[i++] = ((e.manager === null ? 0 : e.manager + 1) << 1) | (e.accepted ? 1 : 0);
  for (const regions of s.pageTable)
    for (const pages of regions)
      for (const p of pages) {
        if (p.present) {
          out[i++] = PRESENT | (rightsBit(p.rights) ? RW : 0) | p.mapper;
          out[i++] = p.frame;
        } else {
          out[i++] = 0;
          out[i++] = p.marker;
        }
      }
  for (const st of s.threads) {
    out[i] = TAG[st.tag];
    if (st.tag === "trapped" || st.tag === "blocked") {
      [out[i + 1], out[i + 2]] = encodeAddress(st.address);
      out[i + 3] = accessBit(st.access) | (st.tag === "blocked" ? st.pager << 1 : 0);
      if (st.tag === "blocked") out[i + 4] = encodeSeen(st.seen);
    } else if (st.tag === "stopped") out[i + 1] = STOP_REASONS.indexOf(st.reason);
    i += THREAD_BYTES;
  }
  for (const pager of ctx.pagers) {
    let bits = 0;
    for (const t of s.pending[pager]!) bits |= 1 << t;
    out[i++] = bits & 0xff;
    out[i++] = bits >> 8;
  }
  return out;
}

export function decode(ctx: SpecContext, bytes: Uint8Array): SpecState {
  const { tasks, regionsPerTask, pagesPerRegion } = ctx.config;
  if (bytes.length !== encodedLength(ctx)) throw new Error(`spec state: expected ${encodedLength(ctx)} bytes, got ${bytes.length}`);
  let i = 0;
  const next = () => bytes[i++]!;
  const regionTable = range(tasks).map(() =>
    range(regionsPerTask).map((): RegionEntry => {
      const b = next();
      return { manager: b >> 1 === 0 ? null : (b >> 1) - 1, accepted: (b & 1) === 1 };
    }),
  );
  const pageTable = range(tasks).map(() =>
    range(regionsPerTask).map(() =>
      range(pagesPerRegion).map((): Page => {
        const b0 = next();
        const b1 = next();
        return b0 & PRESENT
          ? { present: true, frame: b1, rights: b0 & RW ? "rw" : "ro", mapper: b0 & MAPPER_MASK }
          : { present: false, marker: b1 };
      }),
    ),
  );
  const threads = range(ctx.threadCount).map((): ThreadStatus => {
    const [tag, a0, a1, x, y] = [next(), next(), next(), next(), next()];
    const access: AccessKind = x & 1 ? "write" : "read";
    switch (tag) {
      case TAG.running:
        return { tag: "running" };
      case TAG.trapped:
        return { tag: "trapped", address: decodeAddress(a0, a1), access };
      case TAG.blocked:
        return { tag: "blocked", address: decodeAddress(a0, a1), access, pager: x >> 1, seen: decodeSeen(y) };
      case TAG.stopped:
        return { tag: "stopped", reason: STOP_REASONS[a0]! };
      default:
        throw new Error(`spec state: bad thread tag ${tag}`);
    }
  });
  const pending: number[][] = range(ctx.threadCount).map(() => []);
  for (const pager of ctx.pagers) {
    const bits = next() | (next() << 8);
    pending[pager] = range(ctx.threadCount).filter((t) => bits & (1 << t));
  }
  return { regionTable, pageTable, threads, pending };
}
