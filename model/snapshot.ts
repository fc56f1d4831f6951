/**
 * What a search saves for a checkpoint and takes back to resume: whole
 * numbers and typed arrays by name (model/checkpoint.ts stores them in a
 * file). Apart from the file format, so that the search and its worker
 * threads do not load the schema library the format is read with.
 */
import { InputError } from "./input-error.js";

export type SnapshotArray = Uint8Array | Uint16Array | Int32Array | Uint32Array | Float64Array;

/** What a search saves and restores: whole numbers and typed arrays, by name. */
export interface Snapshot {
  /** Which search wrote it ("sequential", "parallel"): a checkpoint resumes only in the same one. */
  readonly search: string;
  readonly scalars: Readonly<Record<string, number>>;
  readonly arrays: Readonly<Record<string, SnapshotArray>>;
}

/**
 * Reads a snapshot back as the search `search` wrote it: its scalars by
 * name and its arrays by name and type. Anything missing or of another
 * shape is one InputError line ("checkpoint: ...").
 */
export function snapshotReader<const N extends string>(snapshot: Snapshot, search: string, resume: string, names: readonly N[]) {
  const bad = (why: string): never => {
    throw new InputError(`checkpoint: ${why}`);
  };
  if (snapshot.search !== search) bad(`written by the ${snapshot.search} search; ${resume}`);
  const scalars = Object.fromEntries(
    names.map((name) => {
      const value = snapshot.scalars[name];
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) bad(`scalar ${name} is missing or malformed`);
      return [name, value!];
    }),
  ) as Record<N, number>;
  const array = <T extends SnapshotArray>(name: string, type: new (length: number) => T, length?: number): T => {
    const found = snapshot.arrays[name];
    if (!(found instanceof type) || (length !== undefined && found.length !== length)) bad(`section ${name} is missing or malformed`);
    return found as T;
  };
  return { scalars, array, bad };
}

/** [a, b, c, d] as [[a, b], [c, d]] (pairs saved flat in an Int32Array). */
export const pairs = (flat: Int32Array): [number, number][] => Array.from({ length: flat.length >> 1 }, (_, i) => [flat[2 * i]!, flat[2 * i + 1]!]);
