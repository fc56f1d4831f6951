/**
 * Compares the model's run of a case with QEMU's, line by line. A line that
 * differs is accepted only when the model run marked it with a documented
 * deviation (deviations.ts); every other difference is a mismatch.
 */
import { PF_P } from "../hw/bits.js";
import { DEVIATION_KINDS, type DeviationKind } from "./deviations.js";
import { hex32, type X86Case } from "./format.js";
import type { ModelRun, WordAllowance } from "./model-run.js";
import { formatChange, formatOperationLine, type MemoryChange, type Outcome, type RunReport } from "./output.js";

export interface Difference {
  /** Where: "op 12" or "mem 0x00401000". */
  readonly at: string;
  readonly model: string;
  readonly qemu: string;
}

export interface Comparison {
  readonly matches: boolean;
  /** Unexplained differences, in output order. */
  readonly differences: readonly Difference[];
  /** How often each documented deviation explained a difference. */
  readonly explained: Readonly<Record<DeviationKind, number>>;
}

function sameOutcome(a: Outcome, b: Outcome): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "value" && b.kind === "value") return a.value === b.value;
  if (a.kind === "fault" && b.kind === "fault") return a.cr2 === b.cr2 && a.errorCode === b.errorCode;
  return true;
}

function explainOutcome(
  model: Outcome,
  qemu: Outcome,
  allowed: ReadonlySet<DeviationKind>,
  read: WordAllowance | undefined,
  pse36: Outcome | undefined,
): DeviationKind | null {
  // Where the model lacks PSE-36, QEMU's line must be exactly the PSE-36 walk's: another address, value or fault is a difference.
  if (pse36 !== undefined) return sameOutcome(qemu, pse36) ? "pse36-large-page" : null;
  if (read !== undefined && model.kind === "value" && qemu.kind === "value" && ((model.value ^ qemu.value) & ~read.mask) === 0) return read.deviation;
  if (
    allowed.has("rsvd-without-p") &&
    model.kind === "fault" &&
    qemu.kind === "fault" &&
    model.cr2 === qemu.cr2 &&
    qemu.errorCode === (model.errorCode & ~PF_P) >>> 0
  ) {
    return "rsvd-without-p";
  }
  return null;
}

function finalValues(changes: readonly MemoryChange[]): Map<number, MemoryChange> {
  return new Map(changes.map((change) => [change.paddr, change]));
}

export function compareRuns(c: X86Case, model: ModelRun, qemu: RunReport): Comparison {
  const explained = Object.fromEntries(DEVIATION_KINDS.map((kind) => [kind, 0])) as Record<DeviationKind, number>;
  const differences: Difference[] = [];
  const count = Math.max(model.report.outcomes.length, qemu.outcomes.length);
  for (let index = 0; index < count; index++) {
    const m = model.report.outcomes[index];
    const q = qemu.outcomes[index];
    if (m !== undefined && q !== undefined && sameOutcome(m, q)) continue;
    const deviation =
      m !== undefined && q !== undefined
        ? explainOutcome(m, q, model.operationAllowances[index] ?? new Set(), model.readAllowances.get(index), model.pse36Outcomes.get(index))
        : null;
    if (deviation !== null) {
      explained[deviation]++;
      continue;
    }
    differences.push({
      at: `op ${index + 1}`,
      model: m === undefined ? "(no line)" : formatOperationLine(c, index, m),
      qemu: q === undefined ? "(no line)" : formatOperationLine(c, index, q),
    });
  }

  const modelChanges = finalValues(model.report.changes);
  const qemuChanges = finalValues(qemu.changes);
  const addresses = [...new Set([...modelChanges.keys(), ...qemuChanges.keys()])].sort((a, b) => a - b);
  for (const paddr of addresses) {
    const m = modelChanges.get(paddr);
    const q = qemuChanges.get(paddr);
    // Both sides start every word from the same value; a word one side left alone ends as it began.
    const before = (m ?? q)!.before;
    const modelAfter = m?.after ?? before;
    const qemuAfter = q?.after ?? before;
    const sameStart = m === undefined || q === undefined || m.before === q.before;
    const differing = (modelAfter ^ qemuAfter) >>> 0;
    if (sameStart && differing === 0) continue;
    const allowance = model.wordAllowances.get(paddr);
    if (sameStart && allowance !== undefined && (differing & ~allowance.mask) === 0) {
      explained[allowance.deviation]++;
      continue;
    }
    differences.push({
      at: `mem ${hex32(paddr)}`,
      model: m === undefined ? "(unchanged)" : formatChange(m),
      qemu: q === undefined ? "(unchanged)" : formatChange(q),
    });
  }
  return { matches: differences.length === 0, differences, explained };
}

/** The first `limit` differences as lines for people: where, then the model's line and QEMU's. */
export function formatDifferences(comparison: Comparison, limit = 10): string[] {
  const lines: string[] = [];
  for (const difference of comparison.differences.slice(0, limit)) {
    lines.push(`  ${difference.at}:`, `    model: ${difference.model}`, `    qemu:  ${difference.qemu}`);
  }
  const hidden = comparison.differences.length - limit;
  if (hidden > 0) lines.push(`  ... and ${hidden} more`);
  return lines;
}

export function formatExplained(comparison: Comparison): string {
  const used = DEVIATION_KINDS.filter((kind) => comparison.explained[kind] > 0).map((kind) => `${kind} ${comparison.explained[kind]}`);
  return used.length === 0 ? "no documented deviation used" : `documented deviations used: ${used.join(", ")}`;
}
