/**
 * The liveness part of the statistics: which fairness was assumed, which
 * properties were checked on how much of the graph, and their verdicts.
 * Every line depends only on the model (no timing), so runs diff cleanly;
 * the run's "Finished in" line follows it.
 */
import type { LivenessStatistics } from "./check.js";

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const render = (row: readonly string[]) =>
    `  ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ")}`.trimEnd();
  return [render(header), ...rows.map(render)];
}

/** The checker's statistics text with the liveness lines inserted before its final "Finished in" line. */
export function withLivenessStatistics(report: string, statistics: LivenessStatistics, states: number): string {
  const lines = report.replace(/\n$/, "").split("\n");
  const finished = lines.findIndex((line) => line.startsWith("Finished in"));
  const at = finished < 0 ? lines.length : finished;
  const liveness = formatLivenessStatistics(statistics, states).replace(/\n$/, "").split("\n");
  return `${[...lines.slice(0, at), ...liveness, ...lines.slice(at)].join("\n")}\n`;
}

export function formatLivenessStatistics(statistics: LivenessStatistics, states: number): string {
  const byAction = new Map<string, { kind: string; count: number; per: string }>();
  for (const instance of statistics.fairness) {
    const entry = byAction.get(instance.action);
    if (entry) entry.count++;
    else byAction.set(instance.action, { kind: instance.kind === "weak" ? "WF" : "SF", count: 1, per: Object.keys(instance.params).join(", ") });
  }
  const fairness = [...byAction].map(([action, { kind, count, per }]) =>
    `${kind}(${action}${per === "" ? "" : ` per ${per}`}): ${count} instance${count === 1 ? "" : "s"}`);
  const lines = [
    `Temporal properties checked on the complete state graph (${states} states, ${statistics.edges} transitions).`,
    fairness.length === 0 ? "Fairness: none (every action may be ignored forever)." : `Fairness: ${fairness.join("; ")}.`,
    "Properties (pending: states where the premise holds and the response does not yet):",
    ...table(
      ["property", "instances", "pending", "result"],
      statistics.properties.map((verdict) => [verdict.name, String(verdict.instances), String(verdict.pendingStates), verdict.holds ? "holds" : "VIOLATED"]),
    ),
    `Liveness analysis: ${statistics.componentsExamined} strongly connected components examined (state graph ${(statistics.graphBytes / 2 ** 20).toFixed(1)} MiB).`,
  ];
  return `${lines.join("\n")}\n`;
}
