/**
 * The result lines both sides print, so two runs compare line by line:
 *
 *   op 7 read3 0x01234000 -> 0x00801000
 *   op 8 write0 0x01234004 0x5a5a5a5a -> #PF cr2=0x01234004 err=0x00000003
 *   op 9 invlpg 0x01234000 -> ok
 *   mem 0x00401010 0x00402003 -> 0x00402023     (every window word that changed)
 *   end ops=9 changed=1
 *
 * parseKernelOutput reads the test kernel's serial output back into a
 * RunReport, checking that every line is the one it must be.
 */
import { match } from "ts-pattern";
import { formatOperation, hex32, type X86Case } from "./format.js";

export type Outcome =
  | { readonly kind: "value"; readonly value: number }
  | { readonly kind: "ok" }
  | { readonly kind: "fault"; readonly cr2: number; readonly errorCode: number };

export interface MemoryChange {
  readonly paddr: number;
  readonly before: number;
  readonly after: number;
}

export interface RunReport {
  /** One outcome per operation, in order. */
  readonly outcomes: readonly Outcome[];
  /** Every window word whose final value differs from its initial one, ascending. */
  readonly changes: readonly MemoryChange[];
}

export function formatOutcome(outcome: Outcome): string {
  return match(outcome)
    .with({ kind: "value" }, (o) => hex32(o.value))
    .with({ kind: "ok" }, () => "ok")
    .with({ kind: "fault" }, (o) => `#PF cr2=${hex32(o.cr2)} err=${hex32(o.errorCode)}`)
    .exhaustive();
}

export function formatOperationLine(c: X86Case, index: number, outcome: Outcome): string {
  const op = c.operations[index];
  if (op === undefined) throw new RangeError(`operation ${index + 1} is not in the case`);
  return `op ${index + 1} ${formatOperation(op)} -> ${formatOutcome(outcome)}`;
}

export function formatChange(change: MemoryChange): string {
  return `mem ${hex32(change.paddr)} ${hex32(change.before)} -> ${hex32(change.after)}`;
}

export function formatReport(c: X86Case, report: RunReport): string[] {
  return [
    ...report.outcomes.map((outcome, index) => formatOperationLine(c, index, outcome)),
    ...report.changes.map(formatChange),
    `end ops=${report.outcomes.length} changed=${report.changes.length}`,
  ];
}

/** Why the kernel's output could not be read as a report (the message names the line). */
export class KernelOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KernelOutputError";
  }
}

const HEX = "0x([0-9a-f]{8})";
const OUTCOME = new RegExp(`^(?:${HEX}|ok|#PF cr2=${HEX} err=${HEX})$`);
const MEM_LINE = new RegExp(`^mem ${HEX} ${HEX} -> ${HEX}$`);
const END_LINE = /^end ops=(\d+) changed=(\d+)$/;

function parseOutcome(text: string): Outcome | null {
  const m = OUTCOME.exec(text);
  if (m === null) return null;
  if (m[1] !== undefined) return { kind: "value", value: parseInt(m[1], 16) };
  if (m[2] !== undefined && m[3] !== undefined) return { kind: "fault", cr2: parseInt(m[2], 16), errorCode: parseInt(m[3], 16) };
  return { kind: "ok" };
}

/**
 * Reads the kernel's serial output. Lines other than op/mem/end/error (a
 * firmware banner, say) are skipped; an "error ..." line, a missing or
 * garbled op line, or a missing end line is a KernelOutputError.
 */
export function parseKernelOutput(c: X86Case, text: string): RunReport {
  const outcomes: Outcome[] = [];
  const changes: MemoryChange[] = [];
  let ended = false;
  const lines = text.split(/\r?\n/).map((raw) => raw.trim());
  // An error line explains whatever half-written line precedes it, so it goes first.
  const error = lines.find((line) => line.startsWith("error "));
  if (error !== undefined) throw new KernelOutputError(`the test kernel stopped: ${error}`);
  for (const line of lines) {
    if (line.startsWith("op ")) {
      const index = outcomes.length;
      const op = c.operations[index];
      const prefix = op === undefined ? null : `op ${index + 1} ${formatOperation(op)} -> `;
      const outcome = prefix !== null && line.startsWith(prefix) ? parseOutcome(line.slice(prefix.length)) : null;
      if (outcome === null) throw new KernelOutputError(`unexpected kernel line for op ${index + 1}: '${line}'`);
      outcomes.push(outcome);
    } else if (line.startsWith("mem ")) {
      const m = MEM_LINE.exec(line);
      if (m === null || m[1] === undefined || m[2] === undefined || m[3] === undefined) throw new KernelOutputError(`garbled kernel line: '${line}'`);
      changes.push({ paddr: parseInt(m[1], 16), before: parseInt(m[2], 16), after: parseInt(m[3], 16) });
    } else if (line.startsWith("end ")) {
      const m = END_LINE.exec(line);
      if (m === null || Number(m[1]) !== outcomes.length || Number(m[2]) !== changes.length) {
        throw new KernelOutputError(`kernel end line '${line}' does not match the ${outcomes.length} op and ${changes.length} mem lines received`);
      }
      ended = true;
      break;
    }
  }
  if (!ended) {
    throw new KernelOutputError(`the test kernel's output ends after ${outcomes.length} of ${c.operations.length} operations without an end line`);
  }
  if (outcomes.length !== c.operations.length) {
    throw new KernelOutputError(`the test kernel reported ${outcomes.length} of ${c.operations.length} operations`);
  }
  return { outcomes, changes };
}
