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
 */

const CHUNK_BYTES = 1 << 16;
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

  constructor(private readonly owner: number) {}

  /** Bytes of the chunks written since the last take(). */
  get bytesHeld(): number {
    return this.heldBytes;
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
    const buffer = new SharedArrayBuffer(Math.max(CHUNK_BYTES, WORD * HEADER_WORDS + need));
    this.words = new Int32Array(buffer);
    this.bytes = new Uint8Array(buffer);
    this.words[OWNER] = this.owner;
    this.words[FIRST_LOCAL] = firstLocal;
    this.used = WORD * HEADER_WORDS;
    this.heldBytes += buffer.byteLength;
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
