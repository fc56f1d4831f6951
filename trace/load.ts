/**
 * Reading a trace file for `trace show` / `trace replay`: the ITF reader of
 * model/itf.ts (Schema-validated), then the checks only the machine can make
 * (known machine, mutant, configuration, actions, invariant). Every problem
 * is one InputError line naming the file and the field.
 */
import { InputError } from "../model/input-error.js";
import { parseJsonInput, readInputText } from "../model/input-file.js";
import { parseItf } from "../model/itf.js";
import { traceId, type Trace } from "../model/trace.js";

export interface LoadedTrace {
  readonly trace: Trace;
  /** The id written in the file, when there is one. */
  readonly recordedId: string | undefined;
  /** The id of the content as read (equal to recordedId unless someone edited the file). */
  readonly id: string;
}

export function readTraceText(path: string): string {
  return readInputText(path, "trace file");
}

export function parseTrace(text: string, source: string): LoadedTrace {
  if (text.trim() === "") throw new InputError(`${source}: empty file, not a trace`);
  const trace = parseItf(text, source);
  const meta = (parseJsonInput(text, source) as { "#meta"?: { id?: unknown } })["#meta"];
  const recordedId = typeof meta?.id === "string" ? meta.id : undefined;
  return { trace, recordedId, id: traceId(trace) };
}

export function loadTrace(path: string): LoadedTrace {
  return parseTrace(readTraceText(path), path);
}

/** A note for stderr when the file's id does not match its content. */
export function idNote(loaded: LoadedTrace, source: string): string | undefined {
  if (loaded.recordedId === undefined || loaded.recordedId === loaded.id) return undefined;
  return `note: ${source} says id ${loaded.recordedId} but its content hashes to ${loaded.id} (the file was edited); using ${loaded.id}`;
}
