/**
 * Checkpoints of an exhaustive search (`check --checkpoint DIR`, resumed by
 * `check --recover DIR`), as TLC keeps them for runs of hours: one file,
 * DIR/checkpoint.bin, replaced atomically and durably (model/atomic-write.ts:
 * temporary file, fsync, rename) each time, so a crash or a kill while
 * writing leaves the previous checkpoint whole.
 *
 * The file is a magic line, a JSON header (format version, the run's
 * identity, the search's scalars, and a table of sections with their
 * lengths and 64-bit checksums), then the sections' bytes: the search's own
 * typed arrays (visited set, parent links, frontiers, counters), written as
 * they are in memory. What the arrays mean is the search's business
 * (check.ts, parallel.ts); this module only stores them and refuses, with
 * one line each, a directory or file that is not a checkpoint of this very
 * run: another machine, configuration, mutant or option set, another format
 * or tool version, a truncated or corrupted file.
 */
import { closeSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Either, Schema } from "effect";
import { writeFileAtomic } from "./atomic-write.js";
import { fingerprint } from "./fingerprint.js";
import { InputError } from "./input-error.js";
import { openRegularInput, parseJsonInput, readFully } from "./input-file.js";
import type { StateMachine } from "./machine.js";
import { firstIssue } from "./schema-issue.js";
import { canonicalJson } from "./trace.js";
import type { Snapshot, SnapshotArray } from "./snapshot.js";

export type { Snapshot, SnapshotArray } from "./snapshot.js";

export const CHECKPOINT_FILE = "checkpoint.bin";
export const CHECKPOINT_FORMAT_VERSION = 1;
const MAGIC = "multipager checkpoint\n";
/** A header larger than this is not one of ours. */
const MAX_HEADER_BYTES = 1 << 20;

const ARRAY_TYPES = {
  u8: Uint8Array,
  u16: Uint16Array,
  i32: Int32Array,
  u32: Uint32Array,
  f64: Float64Array,
} as const;
type ArrayType = keyof typeof ARRAY_TYPES;
/** What the run is: a checkpoint resumes only a run with the same identity (compared field by field). */
export type Identity = Readonly<Record<string, unknown>>;

/** The figures a resume message shows, from the header alone. */
export interface CheckpointSummary {
  readonly distinct: number;
  readonly generated: number;
  readonly queue: number;
  readonly depth: number;
  readonly seconds: number;
}

const typeOf = (array: SnapshotArray): ArrayType =>
  array instanceof Uint8Array ? "u8" : array instanceof Uint16Array ? "u16" : array instanceof Int32Array ? "i32" : array instanceof Uint32Array ? "u32" : "f64";

const bytesOf = (array: SnapshotArray): Uint8Array => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

function checksum(bytes: Uint8Array): string {
  const out = new Uint32Array(2);
  fingerprint(bytes, out);
  return `${out[0]!.toString(16).padStart(8, "0")}${out[1]!.toString(16).padStart(8, "0")}`;
}

const SectionSchema = Schema.Struct({
  name: Schema.String,
  type: Schema.Literal("u8", "u16", "i32", "u32", "f64"),
  length: Schema.Int.pipe(Schema.nonNegative()),
  checksum: Schema.String,
});

const HeaderSchema = Schema.Struct({
  format: Schema.Literal("multipager-checkpoint"),
  version: Schema.Int,
  identity: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  summary: Schema.Struct({
    distinct: Schema.Number,
    generated: Schema.Number,
    queue: Schema.Number,
    depth: Schema.Number,
    seconds: Schema.Number,
  }),
  search: Schema.String,
  scalars: Schema.Record({ key: Schema.String, value: Schema.Number }),
  sections: Schema.Array(SectionSchema),
});

/**
 * Writes the snapshot as DIR/checkpoint.bin (DIR is made if missing),
 * replacing the previous checkpoint atomically. Throws WriteError.
 */
export function writeCheckpoint(dir: string, identity: Identity, summary: CheckpointSummary, snapshot: Snapshot): void {
  const entries = Object.entries(snapshot.arrays);
  const header = {
    format: "multipager-checkpoint",
    version: CHECKPOINT_FORMAT_VERSION,
    identity,
    summary,
    search: snapshot.search,
    scalars: snapshot.scalars,
    sections: entries.map(([name, array]) => ({ name, type: typeOf(array), length: array.length, checksum: checksum(bytesOf(array)) })),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), "utf8");
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, headerBytes.length, true);
  try {
    mkdirSync(dir, { recursive: true });
  } catch {
    // writeFileAtomic names the problem with the file.
  }
  writeFileAtomic(join(dir, CHECKPOINT_FILE), [Buffer.from(MAGIC, "latin1"), length, headerBytes, ...entries.map(([, array]) => bytesOf(array))], { durable: true });
}

/** A checkpoint as read back: its header's summary and the snapshot. */
export interface Checkpoint {
  readonly summary: CheckpointSummary;
  readonly snapshot: Snapshot;
}

/**
 * Reads DIR/checkpoint.bin and checks it belongs to this run (`identity`).
 * @throws InputError (bad-input) with one line naming DIR and the problem.
 */
export function readCheckpoint(dir: string, identity: Identity): Checkpoint {
  const fail = (why: string): never => {
    throw new InputError(`checkpoint ${dir}: ${why}`);
  };
  const stats = statSync(dir, { throwIfNoEntry: false });
  if (stats === undefined) fail("no such directory");
  if (!stats!.isDirectory()) fail("not a directory (--recover takes the directory given to --checkpoint)");
  const path = join(dir, CHECKPOINT_FILE);
  if (statSync(path, { throwIfNoEntry: false }) === undefined) fail(`no checkpoint in it (${CHECKPOINT_FILE} is missing)`);
  const { fd, size } = openRegularInput(path, "checkpoint file");
  try {
    const head = new Uint8Array(MAGIC.length + 4);
    if (!readFully(fd, head, 0) || Buffer.from(head.subarray(0, MAGIC.length)).toString("latin1") !== MAGIC) fail(`${CHECKPOINT_FILE} is not a multipager checkpoint`);
    const headerLength = new DataView(head.buffer).getUint32(MAGIC.length, true);
    if (headerLength > MAX_HEADER_BYTES || head.length + headerLength > size) fail(`${CHECKPOINT_FILE} is truncated or corrupted (header)`);
    const headerBytes = new Uint8Array(headerLength);
    readFully(fd, headerBytes, head.length);
    const decoded = Schema.decodeUnknownEither(HeaderSchema)(parseJsonInput(Buffer.from(headerBytes).toString("utf8"), `checkpoint ${dir}`));
    if (Either.isLeft(decoded)) return fail(`${CHECKPOINT_FILE} has a bad header: ${firstIssue(decoded.left)}`);
    const header = decoded.right;
    if (header.version !== CHECKPOINT_FORMAT_VERSION) fail(`written in checkpoint format ${header.version}; this multipager reads format ${CHECKPOINT_FORMAT_VERSION}`);
    checkIdentity(header.identity, identity, fail);
    let offset = head.length + headerLength;
    const expected = header.sections.reduce((sum, section) => sum + section.length * ARRAY_TYPES[section.type].BYTES_PER_ELEMENT, offset);
    if (expected !== size) fail(`${CHECKPOINT_FILE} is truncated or corrupted (${size} bytes, its header describes ${expected})`);
    const arrays: Record<string, SnapshotArray> = {};
    for (const section of header.sections) {
      const array = new ARRAY_TYPES[section.type](section.length);
      const bytes = bytesOf(array);
      if (!readFully(fd, bytes, offset)) fail(`${CHECKPOINT_FILE} is truncated (section ${section.name})`);
      if (checksum(bytes) !== section.checksum) fail(`${CHECKPOINT_FILE} is corrupted (section ${section.name} fails its checksum)`);
      arrays[section.name] = array;
      offset += bytes.length;
    }
    return { summary: header.summary, snapshot: { search: header.search, scalars: header.scalars, arrays } };
  } finally {
    closeSync(fd);
  }
}

/** Short words for a value in a message: strings and numbers as they are, anything else by its canonical JSON when short. */
function describe(value: unknown): string {
  if (value === undefined) return "none";
  if (typeof value === "string") return value;
  const json = canonicalJson(value);
  return json.length <= 60 ? json : "(a long value)";
}

function checkIdentity(recorded: Identity, expected: Identity, fail: (why: string) => never): void {
  for (const key of new Set([...Object.keys(expected), ...Object.keys(recorded)])) {
    if (canonicalJson(recorded[key]) === canonicalJson(expected[key])) continue;
    const [was, is] = [describe(recorded[key]), describe(expected[key])];
    const difference = was === is ? `written for another ${key} than this run's` : `written for ${key} ${was}, but this run has ${key} ${is}`;
    fail(`${difference} (resume with the options it was written with)`);
  }
}

/**
 * A short digest of what a machine is: its name, actions, variables,
 * invariants and the encodings of its initial states. A change to the
 * state's byte layout or to the machine changes it, so an old checkpoint is
 * refused instead of misread.
 */
export function machineSignature<S>(machine: StateMachine<S>): string {
  const parts = [machine.name, machine.actions.join(","), machine.variables.join(","), machine.invariants.map((i) => i.name).join(",")];
  const initial = [...machine.initialStates()].map((state) => Buffer.from(machine.encode(state)).toString("base64"));
  return checksum(Buffer.from([...parts, ...initial].join("\n"), "utf8"));
}
