/**
 * The x86 paging case: a page-table image placed in physical memory, the
 * initial CR0.WP / CR4.PSE / CR3, and a list of operations. The same case
 * runs on our hardware model (model-run.ts) and, as a multiboot module
 * (module.ts), on a real x86 implementation under QEMU
 * (tests/x86/kernel/pagetest.asm); both print the lines of output.ts.
 *
 * The text form, one item a line ('#' starts a comment):
 *
 *   x86-case 1
 *   wp 1                       initial CR0.WP
 *   pse 0                      initial CR4.PSE
 *   cr3 0x00400000             initial page directory
 *   word 0x00400010 0x00402007 image: a physical word and its value
 *   op read0 0x01000000        ring-0 read
 *   op write3 0x01000004 0x2   ring-3 write
 *   op invlpg 0x01000000 | op cr3 0x00401000 | op wp 0 | op pse 1
 *   op poke 0x00402000 0x0     the kernel stores a physical word
 *
 * Physical layout the test kernel imposes (layout rules, checked by
 * validateCase and, at run time, by model-run.ts):
 * - the window 0x00400000..0x00FFFFFF holds everything the case touches;
 *   every window word starts as its own physical address, then the image's
 *   words are stored over it;
 * - linear 0..16 MiB (PDEs 0..3) belong to the test kernel: accesses and
 *   INVLPG use linear addresses from 0x01000000 up, word aligned;
 * - the kernel writes its own PDEs 0..3 into every directory loaded into CR3
 *   and restores them before reporting, so pokes must leave those words alone.
 */
import { P, match } from "ts-pattern";
import { InputError } from "../../model/input-error.js";
import { PAGE_OFFSET_MASK, WORD_SIZE } from "../hw/bits.js";

export const CASE_FORMAT_VERSION = 1;
export const CASE_HEADER_KEYWORD = "x86-case";

/** The physical window: every word a case may name or reach. */
export const WINDOW_BASE = 0x0040_0000;
export const WINDOW_END = 0x0100_0000;
/** Linear addresses below this belong to the test kernel. */
export const KERNEL_LINEAR_END = 0x0100_0000;
/** How many leading PDEs of every loaded directory the test kernel owns. */
export const KERNEL_PDE_COUNT = 4;
/** The test kernel remembers at most this many distinct directories. */
export const MAX_DIRECTORIES = 256;
/** The module must end below 3 MiB (the kernel's page tables sit there). */
export const MAX_MODULE_BYTES = 0x0030_0000 - 0x0011_0000;

export type AccessKind = "read0" | "read3" | "write0" | "write3";

export type Operation =
  | { readonly kind: "read0" | "read3"; readonly address: number }
  | { readonly kind: "write0" | "write3"; readonly address: number; readonly value: number }
  | { readonly kind: "invlpg"; readonly address: number }
  | { readonly kind: "cr3"; readonly address: number }
  | { readonly kind: "wp" | "pse"; readonly on: boolean }
  | { readonly kind: "poke"; readonly address: number; readonly value: number };

export type OperationKind = Operation["kind"];

export const OPERATION_KINDS: readonly OperationKind[] = ["read0", "write0", "read3", "write3", "invlpg", "cr3", "wp", "pse", "poke"];

export interface X86Case {
  readonly wp: boolean;
  readonly pse: boolean;
  readonly cr3: number;
  /** Image words as [physical address, value], ascending, each address once. */
  readonly image: ReadonlyArray<readonly [number, number]>;
  readonly operations: readonly Operation[];
  /** Comment lines kept at the top of the text form (e.g. how it was generated). */
  readonly comments?: readonly string[];
}

export function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, "0")}`;
}

export function inWindow(paddr: number): boolean {
  return paddr >= WINDOW_BASE && paddr < WINDOW_END;
}

/** The page directories the case ever loads into CR3. */
export function directoriesOf(c: X86Case): number[] {
  const directories = new Set<number>([c.cr3]);
  for (const op of c.operations) if (op.kind === "cr3") directories.add(op.address);
  return [...directories].sort((a, b) => a - b);
}

/** Is `paddr` one of the words 0..3 the test kernel owns in some directory? */
export function isKernelPdeWord(paddr: number, directories: readonly number[]): boolean {
  // Directories lie in the window; testing that first also keeps `& ~mask` from folding a PSE-36 address above 4 GiB onto one.
  if (!inWindow(paddr)) return false;
  const directory = (paddr & ~PAGE_OFFSET_MASK) >>> 0;
  return directories.includes(directory) && (paddr & PAGE_OFFSET_MASK) < KERNEL_PDE_COUNT * WORD_SIZE;
}

// ---------------------------------------------------------------------------
// Text form
// ---------------------------------------------------------------------------

const NUMBER = /^(0x[0-9a-fA-F]{1,8}|[0-9]{1,10})$/;

function parseWord(token: string | undefined, what: string, where: string): number {
  if (token === undefined) throw new InputError(`${where}: missing ${what}`);
  if (!NUMBER.test(token)) throw new InputError(`${where}: ${what} '${token}' is not a 32-bit number (hex 0x... or decimal)`);
  const value = Number(token);
  if (value > 0xffff_ffff) throw new InputError(`${where}: ${what} '${token}' does not fit in 32 bits`);
  return value;
}

function parseFlag(token: string | undefined, what: string, where: string): boolean {
  if (token === "0") return false;
  if (token === "1") return true;
  throw new InputError(`${where}: ${what} must be 0 or 1, not '${token ?? ""}'`);
}

function expectArity(tokens: readonly string[], count: number, where: string, form: string): void {
  if (tokens.length !== count) throw new InputError(`${where}: expected '${form}'`);
}

function parseOperation(tokens: readonly string[], where: string): Operation {
  const kind = tokens[1];
  switch (kind) {
    case "read0":
    case "read3":
      expectArity(tokens, 3, where, `op ${kind} LINEAR`);
      return { kind, address: parseWord(tokens[2], "linear address", where) };
    case "write0":
    case "write3":
      expectArity(tokens, 4, where, `op ${kind} LINEAR VALUE`);
      return { kind, address: parseWord(tokens[2], "linear address", where), value: parseWord(tokens[3], "value", where) };
    case "invlpg":
      expectArity(tokens, 3, where, "op invlpg LINEAR");
      return { kind, address: parseWord(tokens[2], "linear address", where) };
    case "cr3":
      expectArity(tokens, 3, where, "op cr3 PHYSICAL");
      return { kind, address: parseWord(tokens[2], "page directory address", where) };
    case "wp":
    case "pse":
      expectArity(tokens, 3, where, `op ${kind} 0|1`);
      return { kind, on: parseFlag(tokens[2], kind, where) };
    case "poke":
      expectArity(tokens, 4, where, "op poke PHYSICAL VALUE");
      return { kind, address: parseWord(tokens[2], "physical address", where), value: parseWord(tokens[3], "value", where) };
    default:
      throw new InputError(`${where}: unknown operation '${kind ?? ""}' (known: ${OPERATION_KINDS.join(", ")})`);
  }
}

/** Parses and validates the text form; every error is one line naming the file, line and problem. */
export function parseCase(text: string, source = "case"): X86Case {
  const lines = text.split(/\r?\n/);
  let sawHeader = false;
  let wp: boolean | undefined;
  let pse: boolean | undefined;
  let cr3: number | undefined;
  const image = new Map<number, number>();
  const operations: Operation[] = [];
  const comments: string[] = [];
  lines.forEach((raw, index) => {
    const where = `${source}:${index + 1}`;
    const hash = raw.indexOf("#");
    if (!sawHeader && operations.length === 0 && raw.trimStart().startsWith("#")) comments.push(raw.trimStart().slice(1).trim());
    const content = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (content === "") return;
    const tokens = content.split(/\s+/);
    const keyword = tokens[0];
    if (!sawHeader) {
      if (keyword !== CASE_HEADER_KEYWORD) throw new InputError(`${where}: a case file starts with '${CASE_HEADER_KEYWORD} ${CASE_FORMAT_VERSION}'`);
      expectArity(tokens, 2, where, `${CASE_HEADER_KEYWORD} ${CASE_FORMAT_VERSION}`);
      if (tokens[1] !== String(CASE_FORMAT_VERSION)) throw new InputError(`${where}: unsupported case format version '${tokens[1]}' (this multipager reads ${CASE_FORMAT_VERSION})`);
      sawHeader = true;
      return;
    }
    const settingAfterOps = (name: string): void => {
      if (operations.length > 0) throw new InputError(`${where}: '${name}' sets the initial state and must come before the first 'op' (use 'op ${name} ...' to change it)`);
    };
    switch (keyword) {
      case "wp":
        settingAfterOps("wp");
        expectArity(tokens, 2, where, "wp 0|1");
        if (wp !== undefined) throw new InputError(`${where}: 'wp' given twice`);
        wp = parseFlag(tokens[1], "wp", where);
        return;
      case "pse":
        settingAfterOps("pse");
        expectArity(tokens, 2, where, "pse 0|1");
        if (pse !== undefined) throw new InputError(`${where}: 'pse' given twice`);
        pse = parseFlag(tokens[1], "pse", where);
        return;
      case "cr3":
        settingAfterOps("cr3");
        expectArity(tokens, 2, where, "cr3 PHYSICAL");
        if (cr3 !== undefined) throw new InputError(`${where}: 'cr3' given twice`);
        cr3 = parseWord(tokens[1], "page directory address", where);
        return;
      case "word": {
        expectArity(tokens, 3, where, "word PHYSICAL VALUE");
        const paddr = parseWord(tokens[1], "physical address", where);
        if (image.has(paddr)) throw new InputError(`${where}: word ${hex32(paddr)} given twice`);
        image.set(paddr, parseWord(tokens[2], "value", where));
        return;
      }
      case "op":
        operations.push(parseOperation(tokens, where));
        return;
      default:
        throw new InputError(`${where}: unknown keyword '${keyword ?? ""}' (expected wp, pse, cr3, word or op)`);
    }
  });
  if (!sawHeader) throw new InputError(`${source}: empty case file (it starts with '${CASE_HEADER_KEYWORD} ${CASE_FORMAT_VERSION}')`);
  if (wp === undefined) throw new InputError(`${source}: missing 'wp 0|1' (initial CR0.WP)`);
  if (pse === undefined) throw new InputError(`${source}: missing 'pse 0|1' (initial CR4.PSE)`);
  if (cr3 === undefined) throw new InputError(`${source}: missing 'cr3 PHYSICAL' (initial page directory)`);
  const c: X86Case = {
    wp,
    pse,
    cr3,
    image: [...image.entries()].sort((a, b) => a[0] - b[0]),
    operations,
    comments,
  };
  validateCase(c, source);
  return c;
}

/** The layout rules the test kernel needs (see the module comment). */
export function validateCase(c: X86Case, source = "case"): void {
  const directoryProblem = (address: number): string | null => {
    if ((address & PAGE_OFFSET_MASK) !== 0) return "is not 4 KiB aligned";
    if (!inWindow(address)) return `is outside the window ${hex32(WINDOW_BASE)}..${hex32(WINDOW_END - 1)}`;
    return null;
  };
  const initial = directoryProblem(c.cr3);
  if (initial !== null) throw new InputError(`${source}: cr3 ${hex32(c.cr3)} ${initial}`);
  for (const [paddr] of c.image) {
    if (!inWindow(paddr) || paddr % WORD_SIZE !== 0) {
      throw new InputError(`${source}: word ${hex32(paddr)} is not an aligned word in the window ${hex32(WINDOW_BASE)}..${hex32(WINDOW_END - 1)}`);
    }
  }
  const directories = directoriesOf(c);
  if (directories.length > MAX_DIRECTORIES) throw new InputError(`${source}: ${directories.length} page directories; the test kernel handles at most ${MAX_DIRECTORIES}`);
  const requireAccessAddress = (address: number, where: string): void => {
    if (address < KERNEL_LINEAR_END) throw new InputError(`${where}: linear ${hex32(address)} is below ${hex32(KERNEL_LINEAR_END)}, which the test kernel owns`);
    if (address % WORD_SIZE !== 0) throw new InputError(`${where}: linear ${hex32(address)} is not word aligned`);
  };
  c.operations.forEach((op, index) => {
    const where = `${source}: op ${index + 1} (${op.kind})`;
    match(op)
      .with({ kind: P.union("read0", "read3", "write0", "write3", "invlpg") }, (o) => requireAccessAddress(o.address, where))
      .with({ kind: "cr3" }, (o) => {
        const problem = directoryProblem(o.address);
        if (problem !== null) throw new InputError(`${where}: page directory ${hex32(o.address)} ${problem}`);
      })
      .with({ kind: "poke" }, (o) => {
        if (!inWindow(o.address) || o.address % WORD_SIZE !== 0) throw new InputError(`${where}: ${hex32(o.address)} is not an aligned word in the window`);
        if (isKernelPdeWord(o.address, directories)) throw new InputError(`${where}: ${hex32(o.address)} is one of PDEs 0..3 of a page directory, which the test kernel owns`);
      })
      .with({ kind: P.union("wp", "pse") }, () => undefined)
      .exhaustive();
  });
  const moduleBytes = moduleSize(c);
  if (moduleBytes > MAX_MODULE_BYTES) throw new InputError(`${source}: the case needs a ${moduleBytes}-byte module; the test kernel takes at most ${MAX_MODULE_BYTES} (fewer words or operations)`);
}

/** Size of the binary module (module.ts) for this case. */
export function moduleSize(c: X86Case): number {
  return 24 + 8 * c.image.length + 12 * c.operations.length;
}

export function formatOperation(op: Operation): string {
  return match(op)
    .with({ kind: P.union("read0", "read3", "invlpg", "cr3") }, (o) => `${o.kind} ${hex32(o.address)}`)
    .with({ kind: P.union("write0", "write3", "poke") }, (o) => `${o.kind} ${hex32(o.address)} ${hex32(o.value)}`)
    .with({ kind: P.union("wp", "pse") }, (o) => `${o.kind} ${o.on ? 1 : 0}`)
    .exhaustive();
}

/** The text form; parseCase(formatCase(c)) equals c. */
export function formatCase(c: X86Case): string {
  const lines: string[] = [];
  for (const comment of c.comments ?? []) lines.push(`# ${comment}`.trimEnd());
  lines.push(`${CASE_HEADER_KEYWORD} ${CASE_FORMAT_VERSION}`);
  lines.push(`wp ${c.wp ? 1 : 0}`);
  lines.push(`pse ${c.pse ? 1 : 0}`);
  lines.push(`cr3 ${hex32(c.cr3)}`);
  for (const [paddr, value] of c.image) lines.push(`word ${hex32(paddr)} ${hex32(value)}`);
  for (const op of c.operations) lines.push(`op ${formatOperation(op)}`);
  return lines.join("\n") + "\n";
}
