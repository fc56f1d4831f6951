/** A growable Int32Array: the edge lists of a graph with millions of edges, without boxing. */
export class IntVector {
  private data: Int32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.data = new Int32Array(capacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(2 * this.data.length);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  /** The values pushed so far (a view: do not push after taking it). */
  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }

  get byteLength(): number {
    return this.data.byteLength;
  }
}

/** A growable Uint8Array holding `stride` bytes per row. */
export class ByteRows {
  private data: Uint8Array;
  rows = 0;

  constructor(readonly stride: number, capacity = 1024) {
    this.data = new Uint8Array(Math.max(1, stride * capacity));
  }

  /** Appends a zeroed row and returns its index. */
  addRow(): number {
    const needed = (this.rows + 1) * this.stride;
    if (needed > this.data.length) {
      const grown = new Uint8Array(Math.max(2 * this.data.length, needed));
      grown.set(this.data);
      this.data = grown;
    }
    return this.rows++;
  }

  set(row: number, column: number, value: number): void {
    this.data[row * this.stride + column] = value;
  }

  get(row: number, column: number): number {
    return this.data[row * this.stride + column]!;
  }

  get byteLength(): number {
    return this.data.byteLength;
  }
}
