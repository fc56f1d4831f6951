/**
 * The frontier of the parallel search, in chunks of shared memory: each
 * worker writes the states it discovers into its own chunks, and in the next
 * level every worker claims whole chunks, whoever wrote them, so the work
 * spreads evenly even when one worker discovered most of a level.
 *
 * A chunk holds consecutive states of one worker (its owner), numbered
 * locally from `firstLocal`; a record is the encoding's length (a 32-bit
 * word) and the encoding, padded to a whole word. A state that must not be
 * expanded (a violation, when the search goes on past it) keeps its place
 * and number: its length word is negative (-1 - length).
 *
 * The chunks of a level that has been expanded are reused for the level
 * after next (a writer takes them from a pool before it allocates): shared
 * memory is freed only when every thread's garbage collector has let go of
 * it, which can lag a level or two behind, so without reuse the search held
 * up to a third more memory than its budget allowed.
 */

/** A chunk's size (a state bigger than that gets a chunk of its own size). */
export const CHUNK_BYTES = 1 << 16;
const COUNT = 0;
const OWNER = 1;
const FIRST_LOCAL = 2;
const HEADER_WORDS = 3;
const WORD = 4;

export class ChunkWriter {
  private readonly done: SharedArrayBuffer[] = [];
  private words = new Int32Array(new SharedArrayBuffer(0));
  private bytes = new Uint8Array(new SharedArrayBuffer(0));
  private used = 0;
  private heldBytes = 0;
  private openedBytes = 0;

  /** `reuse` hands out a retired chunk of CHUNK_BYTES to write over, if one is left. */
  constructor(
    private readonly owner: number,
    private readonly reuse: () => SharedArrayBuffer | undefined = () => undefined,
  ) {}

  /** Bytes of the chunks written since the last take(). */
  get bytesHeld(): number {
    return this.heldBytes;
  }

  /** Bytes of every chunk this writer ever opened (for the shared memory account; never goes down). */
  get bytesOpened(): number {
    return this.openedBytes;
  }

  /** Appends the state numbered `local` by this worker; locals must follow one another within a chunk. `expand` false: a state the next level only counts. */
  push(state: Uint8Array, local: number, expand = true): void {
    const need = WORD * (1 + Math.ceil(state.length / WORD));
    if (this.words.length === 0 || this.used + need > this.bytes.length) this.open(need, local);
    const at = this.used;
    this.words[at / WORD] = expand ? state.length : -1 - state.length;
    this.bytes.set(state, at + WORD);
    this.used = at + need;
    this.words[COUNT]!++;
  }

  /** The chunks written so far (shared, not copied, when posted); starts afresh. */
  take(): SharedArrayBuffer[] {
    const chunks = [...this.done];
    if (this.words.length > 0) chunks.push(this.words.buffer);
    this.done.length = 0;
    this.words = new Int32Array(new SharedArrayBuffer(0));
    this.bytes = new Uint8Array(new SharedArrayBuffer(0));
    this.used = 0;
    this.heldBytes = 0;
    return chunks;
  }

  private open(need: number, firstLocal: number): void {
    if (this.words.length > 0) this.done.push(this.words.buffer);
    const size = Math.max(CHUNK_BYTES, WORD * HEADER_WORDS + need);
    const buffer = (size === CHUNK_BYTES ? this.reuse() : undefined) ?? new SharedArrayBuffer(size);
    this.words = new Int32Array(buffer);
    this.bytes = new Uint8Array(buffer);
    this.words[COUNT] = 0;
    this.words[OWNER] = this.owner;
    this.words[FIRST_LOCAL] = firstLocal;
    this.used = WORD * HEADER_WORDS;
    this.heldBytes += buffer.byteLength;
    this.openedBytes += buffer.byteLength;
  }
}

/** Number of states in a chunk. */
export const chunkCount = (chunk: SharedArrayBuffer): number => new Int32Array(chunk, 0, HEADER_WORDS)[COUNT]!;

/**
 * Calls visit(state, owner, local, expand) for each state of the chunk, in
 * order; `state` is a view valid during the call. Stops early when visit
 * returns false.
 */
export function forEachInChunk(chunk: SharedArrayBuffer, visit: (state: Uint8Array, owner: number, local: number, expand: boolean) => boolean): void {
  const words = new Int32Array(chunk);
  const bytes = new Uint8Array(chunk);
  const count = words[COUNT]!;
  const owner = words[OWNER]!;
  const firstLocal = words[FIRST_LOCAL]!;
  let at = WORD * HEADER_WORDS;
  for (let k = 0; k < count; k++) {
    const word = words[at / WORD]!;
    const length = word < 0 ? -1 - word : word;
    if (!visit(bytes.subarray(at + WORD, at + WORD + length), owner, firstLocal + k, word >= 0)) return;
    at += WORD * (1 + Math.ceil(length / WORD));
  }
}

/** Bytes of the record at byte `at` of a chunk (its length word, and the encoding padded to a word). */
const recordBytes = (words: Int32Array, at: number): number => {
  const word = words[at / WORD]!;
  return WORD * (1 + Math.ceil((word < 0 ? -1 - word : word) / WORD));
};

/** Bytes of a chunk in use: its header and its records (the rest of its buffer is room never written). */
export function chunkUsedBytes(chunk: SharedArrayBuffer): number {
  const words = new Int32Array(chunk);
  let at = WORD * HEADER_WORDS;
  for (let k = 0; k < words[COUNT]!; k++) at += recordBytes(words, at);
  return at;
}

/** A new chunk with the states of `chunk` from the `from`-th on (the same owner, and the same local numbers). */
export function chunkTail(chunk: SharedArrayBuffer, from: number): SharedArrayBuffer {
  const words = new Int32Array(chunk);
  let at = WORD * HEADER_WORDS;
  for (let k = 0; k < from; k++) at += recordBytes(words, at);
  const end = chunkUsedBytes(chunk);
  const tail = new SharedArrayBuffer(WORD * HEADER_WORDS + end - at);
  const tailWords = new Int32Array(tail);
  tailWords[COUNT] = words[COUNT]! - from;
  tailWords[OWNER] = words[OWNER]!;
  tailWords[FIRST_LOCAL] = words[FIRST_LOCAL]! + from;
  new Uint8Array(tail).set(new Uint8Array(chunk, at, end - at), WORD * HEADER_WORDS);
  return tail;
}

/** Chunks as one byte array and each one's length (for a checkpoint), and back. */
export function packChunks(chunks: readonly SharedArrayBuffer[]): { bytes: Uint8Array; sizes: Uint32Array } {
  const sizes = Uint32Array.from(chunks, chunkUsedBytes);
  const bytes = new Uint8Array(sizes.reduce((sum, size) => sum + size, 0));
  let at = 0;
  chunks.forEach((chunk, i) => {
    bytes.set(new Uint8Array(chunk, 0, sizes[i]!), at);
    at += sizes[i]!;
  });
  return { bytes, sizes };
}

export function unpackChunks(bytes: Uint8Array, sizes: Uint32Array): SharedArrayBuffer[] {
  const chunks: SharedArrayBuffer[] = [];
  let at = 0;
  for (const size of sizes) {
    if (size < WORD * HEADER_WORDS || at + size > bytes.length) throw new RangeError("a frontier chunk of the checkpoint is cut short");
    const chunk = new SharedArrayBuffer(size);
    new Uint8Array(chunk).set(bytes.subarray(at, at + size));
    if (chunkUsedBytes(chunk) !== size) throw new RangeError("a frontier chunk of the checkpoint is malformed");
    chunks.push(chunk);
    at += size;
  }
  if (at !== bytes.length) throw new RangeError("the frontier chunks of the checkpoint have bytes left over");
  return chunks;
}
