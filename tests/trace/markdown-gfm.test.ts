/**
 * The Markdown of every corpus trace, rendered by a GitHub-Flavored Markdown
 * renderer (micromark with its GFM extension, which follows the GFM spec
 * GitHub implements): the header and step tables come out as tables whose
 * cells say exactly what we wrote (an unescaped pipe would cut a cell short),
 * one row per state, and the Mermaid block comes out whole. The Mermaid
 * block itself is rendered by Mermaid in tests/trace/browser.test.ts.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { diffLines, formatAction } from "../../model/trace-text.js";
import { stateNumber, type Trace } from "../../model/trace.js";
import { loadTrace } from "../../trace/load.js";
import { formatMermaid, formatTraceMarkdown } from "../../trace/markdown.js";
import { codeBlocks, renderGfm, tablesOf } from "./gfm.js";

/** What each step-table row must say, cell by cell (the first cell the state number). */
function expectedRows(trace: Trace): string[][] {
  const refinement = trace.kind === "refinement";
  const lines = (before: Trace["steps"][number] | undefined, after: Trace["steps"][number], vars: readonly string[]) => {
    const changes = diffLines(vars, before?.state, after.state).map((l) => l.replace(/^\/\\ /, ""));
    return changes.length === 0 ? "(no change)" : changes.join("\n");
  };
  const rows: string[][] = [];
  trace.steps.forEach((step, index) => {
    if (index === trace.loop) rows.push(["", `the cycle starts here: the behaviour repeats from State ${stateNumber(index)} forever`, ...(refinement ? ["", "", ""] : [""])]);
    const previous = trace.steps[index - 1];
    const action = index === 0 ? "initial state (below)" : formatAction(step.action, step.params);
    const concrete = index === 0 ? "" : lines(previous, step, trace.vars);
    if (!refinement) return rows.push([String(stateNumber(index)), action, concrete]);
    const image = step.abstract!;
    const abstractVars = Object.keys(image.state);
    const abstract = index === 0 ? "" : lines(previous?.abstract === undefined ? undefined : { ...previous, state: previous.abstract.state }, { ...step, state: image.state }, abstractVars);
    return rows.push([String(stateNumber(index)), action, concrete, index === 0 ? "initial state" : formatAction(image.action, image.params), abstract]);
  });
  return rows;
}

const DIR = "tests/traces";
const files = readdirSync(DIR).filter((name) => name.endsWith(".itf.json")).sort();

describe("Markdown through a GFM renderer", () => {
  test.each(files)("%s: tables whole, one row per state, the Mermaid block intact", (file) => {
    const { trace, id } = loadTrace(join(DIR, file));
    const html = renderGfm(formatTraceMarkdown(trace, id, { file: join(DIR, file) }));
    const tables = tablesOf(html);
    expect(tables, "a header table and a step table").toHaveLength(2);
    const [header, steps] = tables as [{ header: string[]; rows: string[][] }, { header: string[]; rows: string[][] }];
    expect(header.rows.map((row) => row.length)).toEqual(header.rows.map(() => 2));
    expect(header.rows.find((row) => row[0] === "Trace id")?.[1]).toBe(id);
    if (trace.violation.quote !== "") expect(header.rows.some((row) => row[1] === `“${trace.violation.quote}”`), "the quote, whole").toBe(true);
    expect(steps.header[0]).toBe("State");
    const expected = expectedRows(trace);
    // Every row the trace has (the lasso's closing row comes last), each cell exactly as written.
    expect(steps.rows.slice(0, expected.length)).toEqual(expected);
    expect(steps.rows).toHaveLength(expected.length + (trace.loop === undefined ? 0 : 1));
    const [mermaid, ...more] = codeBlocks(html, "mermaid");
    expect(more).toHaveLength(0);
    expect(mermaid).toBe(`${formatMermaid(trace)}\n`);
    expect(html).toContain("<details><summary>Initial state (State 1)</summary>");
  });

  test("the check can fail: a pipe left unescaped in a cell cuts it short", () => {
    const { trace, id } = loadTrace(join(DIR, "spec-no-present-recheck.itf.json"));
    const markdown = formatTraceMarkdown(trace, id).replace("`AssignManager(", "`Assign|Manager(");
    const steps = tablesOf(renderGfm(markdown))[1]!;
    expect(steps.rows).not.toEqual(expectedRows(trace));
  });
});
