/**
 * The proof obligations as a table, in the manner of TLAPS's obligation
 * list and Apalache's inductive check: one row per action (and Init, and
 * "IndInv => inv"), one column per conjunct of IndInv, each cell the
 * obligation's outcome and the solver's time. Text and GitHub Markdown.
 */
import type { Obligation, Outcome } from "../../model/lang/induction.js";

export interface Decided {
  readonly obligation: Obligation;
  readonly outcome: Outcome;
}

export type TableFormat = "text" | "md";

/** A cell: seconds for a proof, "=" when the action writes none of the property's variables, FAIL, or ?. */
function cell(outcome: Outcome | undefined): string {
  if (outcome === undefined) return "";
  switch (outcome.status) {
    case "proved":
      return outcome.by === "unchanged" ? "=" : outcome.seconds.toFixed(2);
    case "failed":
      return "FAIL";
    case "unknown":
      return "?";
  }
}

export interface TableShape {
  /** Row labels in order: Init, each action, then the implication row. */
  readonly rows: readonly string[];
  /** The conjuncts of IndInv in order (TypeOK, the invariants, the lemmas). */
  readonly columns: readonly string[];
  /** Which columns are lemmas (for the legend). */
  readonly lemmas: ReadonlySet<string>;
  readonly invariants: ReadonlySet<string>;
}

export const IMPLIES_ROW = "IndInv => inv";

function rowOf(o: Obligation): string {
  return o.kind === "init" ? "Init" : o.kind === "implies" ? IMPLIES_ROW : o.action!;
}

export function formatObligationTable(decided: readonly Decided[], shape: TableShape, format: TableFormat): string {
  const at = new Map(decided.map((d) => [`${rowOf(d.obligation)}|${d.obligation.property}`, d.outcome]));
  const numbers = shape.columns.map((_, i) => `${i + 1}`);
  const grid = shape.rows.map((row) => shape.columns.map((col) => cell(at.get(`${row}|${col}`))));
  const kind = (name: string) => (shape.lemmas.has(name) ? "lemma" : shape.invariants.has(name) ? "invariant" : "generated from the types");
  const legend = shape.columns.map((name, i) => `${numbers[i]} ${name} (${kind(name)})`);
  const note = `Each cell: the solver's seconds for that obligation; "=" the action writes none of the property's variables (proved without the solver); FAIL a counterexample to induction (below); ? unknown.`;
  if (format === "md") {
    const lines = [
      `| obligation | ${numbers.join(" | ")} |`,
      `| --- | ${numbers.map(() => "---:").join(" | ")} |`,
      ...shape.rows.map((row, r) => `| ${row === IMPLIES_ROW ? "IndInv ⇒ inv" : row} | ${grid[r]!.map((c) => (c === "FAIL" ? "**FAIL**" : c)).join(" | ")} |`),
      "",
      note,
      "",
      ...legend.map((l) => `- ${l}`),
    ];
    return lines.join("\n");
  }
  const first = Math.max(...shape.rows.map((r) => r.length), "obligation".length);
  const width = Math.max(4, ...grid.flat().map((c) => c.length), ...numbers.map((n) => n.length));
  const line = (label: string, cells: readonly string[]) => `${label.padEnd(first)}  ${cells.map((c) => c.padStart(width)).join(" ")}`.trimEnd();
  return [line("obligation", numbers), ...shape.rows.map((row, r) => line(row, grid[r]!)), "", note, ...legend.map((l) => `  ${l}`)].join("\n");
}
