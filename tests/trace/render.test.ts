/**
 * Renderings in detail: SVG is deterministic and escapes text; Markdown puts
 * a refinement trace's concrete steps beside their abstract images and keeps
 * table cells intact; the chart has the lifelines of Fig. 4.
 */
import { describe, expect, test } from "vitest";
import { readItf } from "../../model/itf.js";
import type { Trace } from "../../model/trace.js";
import { chartOf } from "../../trace/chart.js";
import { reproduceCommand } from "../../trace/command.js";
import { formatMermaid, formatTraceMarkdown } from "../../trace/markdown.js";
import { escapeXml, formatTraceSvg } from "../../trace/svg.js";
import { textWidth, wrapToWidth } from "../../trace/text-metrics.js";

const corpus = (mutant: string): Trace => readItf(`tests/traces/spec-${mutant}.itf.json`);

describe("sequence chart", () => {
  test("lifelines: each non-pager thread, the kernel, each pager", () => {
    const chart = chartOf(corpus("no-present-recheck"));
    expect(chart.lifelines.map((l) => l.key)).toEqual(["t1", "kernel", "p0"]);
  });

  test("a fault's journey: trap into the kernel, fault message to the region's manager", () => {
    const chart = chartOf(corpus("no-present-recheck"));
    expect(chart.steps.map((s) => [s.number, s.events.map((e) => [e.kind, e.from, e.to])])).toEqual([
      [2, [["syscall", "p0", "kernel"]]],
      [3, [["trap", "t1", "kernel"]]],
      [4, [["map", "p0", "kernel"]]],
      [5, [["fault-message", "kernel", "p0"]]],
    ]);
  });

  test("an action the chart does not know becomes a note on the kernel lifeline", () => {
    const trace = corpus("no-present-recheck");
    const odd: Trace = { ...trace, steps: [trace.steps[0]!, { action: "Reboot", params: { why: "test" }, state: trace.steps[0]!.state }] };
    expect(chartOf(odd).steps).toEqual([{ number: 2, closing: false, events: [{ kind: "note", from: "kernel", to: "kernel", label: 'Reboot(why = "test")' }] }]);
  });
});

describe("SVG", () => {
  test("the same trace gives the same bytes, with no script and integer coordinates", () => {
    const trace = corpus("revoke-on-any-unmap");
    const svg = formatTraceSvg(trace, "abc");
    expect(formatTraceSvg(trace, "abc")).toBe(svg);
    expect(svg).not.toMatch(/<script|javascript:|\son\w+=/i);
    const coordinates = [...svg.matchAll(/\s(?:x|y|x1|x2|y1|y2|width|height)="([^"]+)"/g)].map((m) => m[1]!);
    expect(coordinates.length).toBeGreaterThan(20);
    for (const value of coordinates) expect(value).toMatch(/^-?\d+$/);
  });

  test("text from the trace is escaped", () => {
    expect(escapeXml(`<a href="x">&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
    const trace = corpus("no-present-recheck");
    const hostile: Trace = { ...trace, config: `<script>alert("x")</script>`, violation: { ...trace.violation, quote: "a < b & c > d" } };
    const svg = formatTraceSvg(hostile, "id");
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(svg).toContain("a &lt; b &amp; c &gt; d");
  });

  test("long text wraps at spaces by measured width, and a word wider than a line is cut", () => {
    const width = textWidth("four five", 12);
    expect(wrapToWidth("one two three four five", width, 12)).toEqual(["one two", "three", "four five"]);
    expect(wrapToWidth("abcdefghij", textWidth("abcd", 12), 12)).toEqual(["abcd", "efgh", "ij"]);
    expect(textWidth("W", 12)).toBeGreaterThan(textWidth("i", 12));
    expect(textWidth("ab", 12, true)).toBeGreaterThan(textWidth("ab", 12));
  });
});

describe("Markdown", () => {
  test("the reproducing command leaves out output options", () => {
    const trace = { ...corpus("no-present-recheck"), command: ["check", "--mutant", "no-present-recheck", "--itf", "/tmp/x y.json", "--quiet", "--config", "my config.json"] };
    expect(reproduceCommand(trace)).toBe("npx multipager check --mutant no-present-recheck --config 'my config.json'");
  });

  test("a refinement trace shows each concrete step beside its abstract image", () => {
    const spec = corpus("no-present-recheck");
    const refinement: Trace = {
      ...spec,
      kind: "refinement",
      machine: "multipager-impl",
      arch: "proposed",
      violation: { kind: "refinement", name: "StepMapsToSpec", quote: "every concrete step is a spec step or a stutter" },
      vars: ["cr3", "pte"],
      steps: spec.steps.map((step, index) => ({
        action: index === 0 ? "Init" : `Concrete${step.action}`,
        params: step.params,
        state: { cr3: 4096, pte: index },
        abstract: { action: step.action, params: step.params, state: step.state },
      })),
    };
    const md = formatTraceMarkdown(refinement, "feedbeef0000", { file: "t.itf.json" });
    expect(md).toContain("| State | Concrete step | Concrete changes | Abstract image | Abstract changes |");
    expect(md).toContain("| Architecture | `proposed` |");
    const row = md.split("\n").find((line) => line.startsWith("| 5 |"))!;
    expect(row).toContain("`ConcreteDispatch(thread = 1, outcome = \"delivered\", pager = 0)`");
    expect(row).toContain("`pte = 4`");
    expect(row).toContain("`Dispatch(thread = 1, outcome = \"delivered\", pager = 0)`");
    expect(row).toContain("`pending[0] = {1}`");
    // Five cells: escaped pipes never split a cell.
    expect(row.replace(/\\\|/g, "").split("|").length - 2).toBe(5);
    // The chart is drawn from the abstract images.
    expect(formatMermaid(refinement)).toContain("kernel->>p0: State 5: fault message (thread 1)");
  });

  test("a lasso says where it loops", () => {
    const trace: Trace = { ...corpus("no-present-recheck"), violation: { kind: "liveness", name: "FaultAnswered", quote: "" }, loop: 2 };
    const md = formatTraceMarkdown(trace, "id");
    expect(md).toContain("then back to State 3 and around the cycle forever");
    expect(md).toContain("| 6 | back to State 3 |  |");
  });
});
