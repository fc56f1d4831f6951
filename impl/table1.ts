/**
 * Table I of the paper beside the measured figures, as text, Markdown or
 * JSON. The paper's column is the paper's data (Table I and the 4 KiB of
 * Section IV); every measured column comes from running the workload
 * (workload.ts) on the simulated CPUs.
 */
import { match } from "ts-pattern";
import { ARCH_NAMES, type ArchName } from "./arch/index.js";
import { measureArchitecture, type ArchMeasurement, type Switches, type WorkloadOptions } from "./workload.js";

/** Table I of the paper: mode and context switches per handled page fault. */
export const PAPER_TABLE_I: Readonly<Partial<Record<ArchName, Switches & { readonly row: string }>>> = {
  monolithic: { row: "Monolithic kernel", mode: 2, context: 0 },
  proposed: { row: "Proposed approach", mode: 4, context: 2 },
  l4: { row: "Single-paging L4 / Mach", mode: 4, context: 2 },
  l4re: { row: "L4 Microkernel + L4Re (Fiasco.OC)", mode: 6, context: 3 },
};

/** Section IV: "incurs only 4Kb of memory overhead per virtual address space". */
export const PAPER_REGION_TABLE_BYTES = 4096;

/** Row order: the registry's (the paper's, then the extra variant and any architecture added after). */
export const TABLE_ORDER: readonly ArchName[] = ARCH_NAMES;

export interface Table1Report {
  readonly rows: readonly ArchMeasurement[];
  /** Every measured figure of the paper's rows equals the paper's. */
  readonly matchesPaper: boolean;
  readonly mismatches: readonly string[];
}

export function buildTable1(archs: readonly ArchName[] = TABLE_ORDER, options: WorkloadOptions = {}): Table1Report {
  const rows = archs.map((a) => measureArchitecture(a, options));
  const mismatches: string[] = [];
  for (const row of rows) {
    const paper = PAPER_TABLE_I[row.arch];
    if (paper && (paper.mode !== row.plain.perFault.mode || paper.context !== row.plain.perFault.context)) {
      mismatches.push(`${row.title}: measured ${row.plain.perFault.mode}/${row.plain.perFault.context}, paper ${paper.mode}/${paper.context}`);
    }
    if (row.arch === "proposed" && row.kernelRegionTableBytes !== PAPER_REGION_TABLE_BYTES) {
      mismatches.push(`${row.title}: region table ${row.kernelRegionTableBytes} bytes per address space, paper ${PAPER_REGION_TABLE_BYTES}`);
    }
  }
  return { rows, matchesPaper: mismatches.length === 0, mismatches };
}

const pair = (s: Switches): string => `${s.mode}/${s.context}`;
const paperPair = (arch: ArchName): string => {
  const p = PAPER_TABLE_I[arch];
  return p ? `${p.mode}/${p.context}` : "-";
};
const verdict = (row: ArchMeasurement): string => {
  const p = PAPER_TABLE_I[row.arch];
  if (!p) return "(extra row)";
  return p.mode === row.plain.perFault.mode && p.context === row.plain.perFault.context ? "yes" : "NO";
};

interface Column {
  readonly title: string;
  readonly cell: (row: ArchMeasurement) => string;
  readonly right?: boolean;
}

function sections(report: Table1Report): { title: string; note: string; columns: Column[] }[] {
  const faults = report.rows[0]?.plain.faults ?? 0;
  return [
    {
      title: "Plain page fault (Table I)",
      note: `mode/context switches per handled fault, ${faults} faults on fresh pages, 1 CPU`,
      columns: [
        { title: "architecture", cell: (r) => r.title },
        { title: "measured", cell: (r) => pair(r.plain.perFault), right: true },
        { title: "paper", cell: (r) => paperPair(r.arch), right: true },
        { title: "match", cell: verdict },
      ],
    },
    {
      title: "Raced fault (Fig. 3, thread B)",
      note: "the page is restored between B's trap and its dispatch; B's fault only, 2 CPUs",
      columns: [
        { title: "architecture", cell: (r) => r.title },
        { title: "measured", cell: (r) => pair(r.raced.perFault), right: true },
      ],
    },
    {
      title: "General-protection fault",
      note: "a null-pointer read (below B_us), until a user thread runs again on the CPU",
      columns: [
        { title: "architecture", cell: (r) => r.title },
        { title: "measured", cell: (r) => pair(r.generalProtection.perFault), right: true },
      ],
    },
    {
      title: "Region table memory per address space",
      note: "bytes of the frames installed for it, counted by the kernel's frame registry",
      columns: [
        { title: "architecture", cell: (r) => r.title },
        { title: "kernel", cell: (r) => String(r.kernelRegionTableBytes), right: true },
        { title: "user level", cell: (r) => String(r.userRegionMapBytes), right: true },
        { title: "paper", cell: (r) => (r.arch === "proposed" ? String(PAPER_REGION_TABLE_BYTES) : "-"), right: true },
      ],
    },
  ];
}

export function formatTable1Text(report: Table1Report): string {
  const lines: string[] = ["Table I, measured on the simulated x86 (mode/context switches from the CPUs' counters)"];
  for (const section of sections(report)) {
    const cells = report.rows.map((row) => section.columns.map((c) => c.cell(row)));
    const widths = section.columns.map((c, i) => Math.max(c.title.length, ...cells.map((r) => r[i]!.length)));
    const render = (values: string[]): string =>
      values.map((v, i) => (section.columns[i]!.right ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join("  ").trimEnd();
    lines.push("", `${section.title}: ${section.note}`, render(section.columns.map((c) => c.title)), render(widths.map((w) => "-".repeat(w))));
    for (const row of cells) lines.push(render(row));
  }
  lines.push("", report.matchesPaper ? "Every measured figure of the paper's rows matches the paper." : `Differs from the paper: ${report.mismatches.join("; ")}`);
  return lines.join("\n") + "\n";
}

export function formatTable1Markdown(report: Table1Report): string {
  const lines: string[] = [];
  for (const section of sections(report)) {
    lines.push(`**${section.title}** (${section.note})`, "");
    lines.push(`| ${section.columns.map((c) => c.title).join(" | ")} |`);
    lines.push(`| ${section.columns.map((c) => (c.right ? "---:" : "---")).join(" | ")} |`);
    for (const row of report.rows) lines.push(`| ${section.columns.map((c) => c.cell(row)).join(" | ")} |`);
    lines.push("");
  }
  lines.push(report.matchesPaper ? "Every measured figure of the paper's rows matches the paper." : `Differs from the paper: ${report.mismatches.join("; ")}`);
  return lines.join("\n") + "\n";
}

/** The table as data: what `--format json` prints and what the JSON report (`--json`) carries. */
export function table1Json(report: Table1Report) {
  const rows = report.rows.map((r) => ({
    arch: r.arch,
    title: r.title,
    plain: { ...r.plain.perFault, faults: r.plain.faults },
    paper: PAPER_TABLE_I[r.arch] ? { mode: PAPER_TABLE_I[r.arch]!.mode, context: PAPER_TABLE_I[r.arch]!.context } : null,
    raced: r.raced.perFault,
    generalProtection: r.generalProtection.perFault,
    regionTableBytes: { kernel: r.kernelRegionTableBytes, user: r.userRegionMapBytes },
  }));
  return { table: "I" as const, unit: "switches per handled fault", matchesPaper: report.matchesPaper, mismatches: report.mismatches, rows };
}

export function formatTable1Json(report: Table1Report): string {
  return JSON.stringify(table1Json(report), null, 2) + "\n";
}

export type Table1Format = "text" | "md" | "json";

export function formatTable1(report: Table1Report, format: Table1Format): string {
  return match(format)
    .with("text", () => formatTable1Text(report))
    .with("md", () => formatTable1Markdown(report))
    .with("json", () => formatTable1Json(report))
    .exhaustive();
}
