/**
 * Seeded random cases, from fast-check arbitraries: page directories and page
 * tables with random flags, not-present entries carrying random 31-bit
 * markers, 4-MiB pages (sometimes with the reserved bit 21, sometimes with
 * PSE-36 address bits 20:13, which put the page above 4 GiB), and random
 * operations in both rings, with INVLPG, CR3 loads and CR0.WP / CR4.PSE
 * changes. The same seed and operation count give the same case, byte for
 * byte (fc.sample with that seed).
 *
 * Rules that keep both sides deterministic (each is why a generated case
 * never needs a deviation beyond deviations.ts):
 * - after a poke changes a PTE, every page it maps in the loaded directory
 *   is invalidated (INVLPG) or CR3 is reloaded; after a PDE changes in the
 *   loaded directory, CR3 is reloaded: a stale TLB entry may or may not be
 *   used by a real x86, so TLB staleness is left to the unit tests;
 * - paging structures (0x00400000..0x00406fff) are mapped only through the
 *   structure table's slot, which is only read (never written, never poked),
 *   so writes only touch data frames (0x00800000 and up) and 4-MiB pages there;
 * - values written to data are even: a data word read as a page-table entry
 *   (a 4-MiB PDE seen as a page-table pointer once CR4.PSE is off) is never
 *   present, so the walk never leaves the window (a PDE with PSE-36 bits
 *   read as a page-table pointer points into a data page too);
 * - a 4-MiB page above 4 GiB has no memory behind it, in QEMU's machine as
 *   in the model: its reads give 0 and its writes vanish on both sides.
 */
import fc from "fast-check";
import { match } from "ts-pattern";
import {
  ENTRY_ADDRESS_MASK,
  LARGE_PAGE_SHIFT,
  LARGE_PDE_PAT,
  MARKER_MAX,
  PAGE_SHIFT,
  PAGE_SIZE,
  PDE_PS,
  PSE36_ADDRESS_MASK,
  PSE36_ADDRESS_SHIFT,
  PTE_P,
  PTE_RW,
  PTE_US,
  WORD_SIZE,
  bitRange,
  isPresent,
  notPresentEntry,
} from "../hw/bits.js";
import type { Operation, X86Case } from "./format.js";

export const GENERATED_DIRECTORIES = [0x0040_0000, 0x0040_1000] as const;
export const GENERATED_PAGE_TABLES = [0x0040_2000, 0x0040_3000, 0x0040_4000, 0x0040_5000] as const;
export const GENERATED_LARGE_PAGES = [0x0080_0000, 0x00c0_0000] as const;
/**
 * A page table that maps the paging structures themselves (both directories,
 * the four page tables and itself) for reads only, so the A and D bits show
 * in read values operation by operation, not only in the final memory.
 */
export const GENERATED_STRUCTURE_TABLE = 0x0040_6000;
const STRUCTURE_FRAMES = [...GENERATED_DIRECTORIES, ...GENERATED_PAGE_TABLES, GENERATED_STRUCTURE_TABLE] as const;
/** Reads through the structure table skip words 0..3 (the test kernel's PDEs in a directory). */
const FIRST_STRUCTURE_WORD = 4;
const DATA_FRAME_FIRST = 0x0080_0000 >>> PAGE_SHIFT;
const DATA_FRAME_LAST = 0x00ff_f000 >>> PAGE_SHIFT;
const DATA_FRAMES = 12;
const SLOTS = 6; // PDE indices the case uses (from 4 up: below is the test kernel's)
const PAGE_INDICES = 6; // PTE indices every page table defines
const FIRST_CASE_PDE = 4;
const LAST_INDEX = 1023;
const WORDS_PER_PAGE = PAGE_SIZE / WORD_SIZE;
/** Bits 11:1 of an entry (bit 0 is P). */
const FLAG_BITS = bitRange(11, 1);
const LARGE_PDE_BIT21 = bitRange(21, 21);
const PSE36_HIGH_BITS_MAX = 0xff;
const EVEN = ~1;

interface Layout {
  readonly wp: boolean;
  readonly pse: boolean;
  readonly cr3: number;
  readonly dataFrames: readonly number[];
  readonly slots: readonly number[];
  /** The PDE index, in both directories, of the structure table (never poked, never written through). */
  readonly structureSlot: number;
  readonly pageIndices: readonly number[];
}

const markerEntry = fc.integer({ min: 0, max: MARKER_MAX }).map(notPresentEntry);
/** Present-entry flags: bits 11:1 at random, with R/W and U/S set three times in four (so more accesses get through). */
const flags = fc
  .tuple(fc.integer({ min: 0, max: FLAG_BITS }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }))
  .map(([bits, rw, us]) => ((bits & FLAG_BITS) | PTE_P | (rw === 0 ? 0 : PTE_RW) | (us === 0 ? 0 : PTE_US)) >>> 0);

function pteArbitrary(layout: Layout): fc.Arbitrary<number> {
  const present = fc.tuple(fc.constantFrom(...layout.dataFrames), flags).map(([frame, f]) => (frame | f) >>> 0);
  return fc.oneof({ arbitrary: markerEntry, weight: 1 }, { arbitrary: present, weight: 6 });
}

function pdeArbitrary(): fc.Arbitrary<number> {
  const table = fc.tuple(fc.constantFrom(...GENERATED_PAGE_TABLES), flags).map(([t, f]) => (t | (f & ~PDE_PS)) >>> 0);
  // One large PDE in ten sets the reserved bit 21, one in ten PSE-36 address bits (physical bits 39:32, 1..255 << 32).
  const large = fc
    .tuple(fc.constantFrom(...GENERATED_LARGE_PAGES), flags, fc.boolean(), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: PSE36_HIGH_BITS_MAX }))
    .map(([base, f, pat, kind, high]) => {
      const extra = kind === 0 ? LARGE_PDE_BIT21 : kind === 1 ? (high << PSE36_ADDRESS_SHIFT) & PSE36_ADDRESS_MASK : 0;
      return (base | f | PDE_PS | (pat ? LARGE_PDE_PAT : 0) | extra) >>> 0;
    });
  return fc.oneof({ arbitrary: markerEntry, weight: 1 }, { arbitrary: table, weight: 6 }, { arbitrary: large, weight: 2 });
}

const layoutArbitrary: fc.Arbitrary<Layout> = fc.record({
  slotChoice: fc.uniqueArray(fc.integer({ min: FIRST_CASE_PDE, max: LAST_INDEX }), { minLength: SLOTS + 1, maxLength: SLOTS + 1 }),
  wp: fc.boolean(),
  pse: fc.boolean(),
  cr3: fc.constantFrom(...GENERATED_DIRECTORIES),
  dataFrames: fc
    .uniqueArray(fc.integer({ min: DATA_FRAME_FIRST, max: DATA_FRAME_LAST }), { minLength: DATA_FRAMES, maxLength: DATA_FRAMES })
    .map((frames) => frames.map((frame) => frame << PAGE_SHIFT)),
  pageIndices: fc.uniqueArray(fc.integer({ min: 0, max: LAST_INDEX }), { minLength: PAGE_INDICES, maxLength: PAGE_INDICES }),
}).map(({ slotChoice, ...rest }) => ({ ...rest, slots: slotChoice.slice(0, SLOTS), structureSlot: slotChoice[SLOTS]! }));

/** One step of the script; build() turns it into operations, adding the invalidations the state needs. */
type Step =
  | { readonly kind: "access"; readonly access: "read0" | "read3" | "write0" | "write3"; readonly address: number; readonly value: number }
  | { readonly kind: "invlpg"; readonly address: number }
  | { readonly kind: "structure-read"; readonly access: "read0" | "read3"; readonly address: number }
  | { readonly kind: "poke-pte"; readonly table: number; readonly index: number; readonly value: number; readonly reload: boolean }
  | { readonly kind: "poke-pde"; readonly directory: number; readonly index: number; readonly value: number }
  | { readonly kind: "cr3"; readonly directory: number }
  | { readonly kind: "wp" | "pse"; readonly on: boolean };

function stepArbitrary(layout: Layout): fc.Arbitrary<Step> {
  const pageIndex = fc.oneof({ arbitrary: fc.constantFrom(...layout.pageIndices), weight: 6 }, { arbitrary: fc.integer({ min: 0, max: LAST_INDEX }), weight: 1 });
  const linear = fc
    .tuple(fc.constantFrom(...layout.slots), pageIndex, fc.integer({ min: 0, max: WORDS_PER_PAGE - 1 }))
    .map(([slot, page, word]) => ((slot << LARGE_PAGE_SHIFT) | (page << PAGE_SHIFT) | (word * WORD_SIZE)) >>> 0);
  const access = fc
    .tuple(fc.constantFrom("read0" as const, "read3" as const, "write0" as const, "write3" as const), linear, fc.integer({ min: 0, max: 0xffff_ffff }))
    .map(([kind, address, value]): Step => ({ kind: "access", access: kind, address, value: (value & EVEN) >>> 0 }));
  const invlpg = linear.map((address): Step => ({ kind: "invlpg", address }));
  const structureRead = fc
    .tuple(
      fc.constantFrom("read0" as const, "read3" as const),
      fc.integer({ min: 0, max: STRUCTURE_FRAMES.length - 1 }),
      fc.integer({ min: FIRST_STRUCTURE_WORD, max: WORDS_PER_PAGE - 1 }),
    )
    .map(([access, page, word]): Step => ({
      kind: "structure-read",
      access,
      address: ((layout.structureSlot << LARGE_PAGE_SHIFT) | (page << PAGE_SHIFT) | (word * WORD_SIZE)) >>> 0,
    }));
  const pokePte = fc
    .tuple(fc.constantFrom(...GENERATED_PAGE_TABLES), fc.constantFrom(...layout.pageIndices), pteArbitrary(layout), fc.boolean())
    .map(([table, index, value, reload]): Step => ({ kind: "poke-pte", table, index, value, reload }));
  const pokePde = fc
    .tuple(fc.constantFrom(...GENERATED_DIRECTORIES), fc.constantFrom(...layout.slots), pdeArbitrary())
    .map(([directory, index, value]): Step => ({ kind: "poke-pde", directory, index, value }));
  const cr3 = fc.constantFrom(...GENERATED_DIRECTORIES).map((directory): Step => ({ kind: "cr3", directory }));
  const wp = fc.boolean().map((on): Step => ({ kind: "wp", on }));
  const pse = fc.boolean().map((on): Step => ({ kind: "pse", on }));
  return fc.oneof(
    { arbitrary: access, weight: 24 },
    { arbitrary: invlpg, weight: 1 },
    { arbitrary: structureRead, weight: 3 },
    { arbitrary: pokePte, weight: 3 },
    { arbitrary: pokePde, weight: 2 },
    { arbitrary: cr3, weight: 1 },
    { arbitrary: wp, weight: 1 },
    { arbitrary: pse, weight: 1 },
  );
}

function imageOf(layout: Layout, pdes: readonly number[], ptes: readonly number[], structureFlags: readonly number[]): Map<number, number> {
  const image = new Map<number, number>();
  let next = 0;
  for (const directory of GENERATED_DIRECTORIES) {
    for (const slot of layout.slots) image.set(directory + slot * WORD_SIZE, pdes[next++]!);
  }
  next = 0;
  for (const table of GENERATED_PAGE_TABLES) {
    for (const index of layout.pageIndices) image.set(table + index * WORD_SIZE, ptes[next++]!);
  }
  next = 0;
  for (const directory of GENERATED_DIRECTORIES) {
    image.set(directory + layout.structureSlot * WORD_SIZE, (GENERATED_STRUCTURE_TABLE | (structureFlags[next++]! & ~PDE_PS)) >>> 0);
  }
  STRUCTURE_FRAMES.forEach((frame, index) => image.set(GENERATED_STRUCTURE_TABLE + index * WORD_SIZE, (frame | structureFlags[next++]!) >>> 0));
  return image;
}

/** Turns steps into exactly `count` operations, tracking the loaded directory and memory to invalidate correctly. */
function build(layout: Layout, image: Map<number, number>, steps: readonly Step[], count: number): Operation[] {
  const memory = new Map(image);
  const read = (paddr: number): number => memory.get(paddr) ?? paddr;
  let cr3 = layout.cr3;
  let pse = layout.pse;
  const ops: Operation[] = [];
  for (const step of steps) {
    if (ops.length >= count) break;
    match(step)
      .with({ kind: "access" }, (st) => {
        ops.push(st.access === "read0" || st.access === "read3" ? { kind: st.access, address: st.address } : { kind: st.access, address: st.address, value: st.value });
      })
      .with({ kind: "invlpg" }, (st) => {
        ops.push({ kind: "invlpg", address: st.address });
      })
      .with({ kind: "structure-read" }, (st) => {
        ops.push({ kind: st.access, address: st.address });
      })
      .with({ kind: "poke-pte" }, (st) => {
        const paddr = st.table + st.index * WORD_SIZE;
        memory.set(paddr, st.value);
        ops.push({ kind: "poke", address: paddr, value: st.value });
        if (st.reload) {
          ops.push({ kind: "cr3", address: cr3 });
          return;
        }
        // INVLPG every page of the loaded directory that this PTE maps.
        for (const slot of layout.slots) {
          const pde = read(cr3 + slot * WORD_SIZE);
          const isTable = isPresent(pde) && !(pse && (pde & PDE_PS) !== 0);
          if (isTable && ((pde & ENTRY_ADDRESS_MASK) >>> 0) === st.table) {
            ops.push({ kind: "invlpg", address: ((slot << LARGE_PAGE_SHIFT) | (st.index << PAGE_SHIFT)) >>> 0 });
          }
        }
      })
      .with({ kind: "poke-pde" }, (st) => {
        const paddr = st.directory + st.index * WORD_SIZE;
        memory.set(paddr, st.value);
        ops.push({ kind: "poke", address: paddr, value: st.value });
        if (st.directory === cr3) ops.push({ kind: "cr3", address: cr3 });
      })
      .with({ kind: "cr3" }, (st) => {
        cr3 = st.directory;
        ops.push({ kind: "cr3", address: cr3 });
      })
      .with({ kind: "wp" }, (st) => {
        ops.push({ kind: "wp", on: st.on });
      })
      .with({ kind: "pse" }, (st) => {
        pse = st.on;
        ops.push({ kind: "pse", on: st.on });
      })
      .exhaustive();
  }
  return ops.slice(0, count);
}

export function caseArbitrary(operations: number): fc.Arbitrary<X86Case> {
  return layoutArbitrary.chain((layout) =>
    fc
      .tuple(
        fc.array(pdeArbitrary(), { minLength: GENERATED_DIRECTORIES.length * SLOTS, maxLength: GENERATED_DIRECTORIES.length * SLOTS }),
        fc.array(pteArbitrary(layout), { minLength: GENERATED_PAGE_TABLES.length * PAGE_INDICES, maxLength: GENERATED_PAGE_TABLES.length * PAGE_INDICES }),
        fc.array(flags, { minLength: GENERATED_DIRECTORIES.length + STRUCTURE_FRAMES.length, maxLength: GENERATED_DIRECTORIES.length + STRUCTURE_FRAMES.length }),
        fc.array(stepArbitrary(layout), { minLength: operations, maxLength: operations }),
      )
      .map(([pdes, ptes, structureFlags, steps]): X86Case => {
        const image = imageOf(layout, pdes, ptes, structureFlags);
        return {
          wp: layout.wp,
          pse: layout.pse,
          cr3: layout.cr3,
          image: [...image.entries()].sort((a, b) => a[0] - b[0]),
          operations: build(layout, image, steps, operations),
        };
      }),
  );
}

/** The case for `seed` with `operations` operations; the same arguments give the same case. */
export function generateCase(seed: number, operations: number): X86Case {
  const [generated] = fc.sample(caseArbitrary(operations), { seed, numRuns: 1 });
  if (generated === undefined) throw new Error("fast-check produced no sample");
  return { ...generated, comments: [`generated by: multipager x86 gen --seed ${seed} --ops ${operations}`] };
}
