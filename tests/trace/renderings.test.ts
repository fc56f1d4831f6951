/**
 * What each rendering must show, on real traces: one numbering everywhere
 * (text, Markdown, Mermaid, SVG, replay messages); a lasso's closing step,
 * formula, failing instance, cycle and stuttering (a stutter drawn unlike a
 * cycle); the concrete side of a refinement trace (the CPU of each step, TLB
 * fills, invalidations and shootdowns, what a TLB still holds, L4Re's region
 * mapper) and `trace show`'s two columns.
 */
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { ActionParams, Step } from "../../model/machine.js";
import { formatTraceText } from "../../model/trace-text.js";
import type { Trace } from "../../model/trace.js";
import { refinementConfigNamed } from "../../refinement/configs.js";
import { buildRefinement, kernelConfigFor, refinementSteps, type ProductState } from "../../refinement/product.js";
import { chartOf } from "../../trace/chart.js";
import { loadTrace } from "../../trace/load.js";
import { formatMermaid, formatTraceMarkdown } from "../../trace/markdown.js";
import { formatTraceSvg } from "../../trace/svg.js";
import { multipagerTrace } from "./run-trace.js";

const path = (file: string) => join("tests/traces", file);
const load = (file: string) => loadTrace(path(file));

describe("one numbering in every rendering and message", () => {
  test("the Dispatch of spec-no-present-recheck is State 5 in text, Markdown, Mermaid, SVG and replay", async () => {
    const { trace, id } = load("spec-no-present-recheck.itf.json");
    const dispatch = 'Dispatch(thread = 1, outcome = "delivered", pager = 0)';
    expect(formatTraceText(trace)).toContain(`State 5: <${dispatch}>`);
    expect(formatTraceMarkdown(trace, id)).toContain(`| 5 | \`${dispatch}\` |`);
    expect(formatMermaid(trace)).toContain("kernel->>p0: State 5: fault message (thread 1)");
    const svg = formatTraceSvg(trace, id);
    const rows = [...svg.matchAll(/<text class="step"[^>]*>(State \d+)<\/text>/g)].map((m) => m[1]);
    expect(rows).toEqual(["State 2", "State 3", "State 4", "State 5"]);
    const replay = await multipagerTrace("replay", path("spec-no-present-recheck.itf.json"), "--mutant", "none");
    expect(replay.stdout).toContain(`No longer applies at State 5: ${dispatch} is not enabled`);
  });
});

describe("lassos: the closing step, the formula, the instance; a stutter unlike a cycle", () => {
  test("a cycle closed by a step (live-drop-second-fault-message): every rendering shows the step back and the loop", () => {
    const { trace, id } = load("live-drop-second-fault-message.itf.json");
    expect(trace.loop).toBe(3);
    expect(trace.closing).toEqual({ action: "Map", params: { manager: 0, task: 0, region: 0, page: 0, frame: 0, rights: "ro" } });
    const closing = 'Map(manager = 0, task = 0, region = 0, page = 0, frame = 0, rights = "ro")';
    const text = formatTraceText(trace);
    expect(text).toContain("  \\A t \\in Threads : RoutedTo(t) = p ~> (t \\in pending[p] \\/ ~Trapped(t))\n  violated for thread = 1\n");
    // The closing step, with what it changes (the page goes back to read-only).
    expect(text).toMatch(new RegExp(`State 8: <${closing.replace(/[()]/g, "\\$&")}> Back to state 4\n/\\\\ pageTable\\[0\\]\\[0\\]\\[0\\]\\.rights = "ro"`));
    const md = formatTraceMarkdown(trace, id);
    expect(md).toContain(`| 8 | \`${closing}\` back to State 4 | \`pageTable[0][0][0].rights = "ro"\` |`);
    expect(md).toContain("| Violated for | `thread = 1` |");
    expect(md).toContain("**the cycle starts here: the behaviour repeats from State 4 forever**");
    const mermaid = formatMermaid(trace);
    expect(mermaid).toContain("  loop forever: back to State 4\n  t2->>kernel: State 5: page fault");
    expect(mermaid).toContain("p0->>kernel: State 8 = State 4: map frame 0 ro at region 0 page 0\n  end");
    const svg = formatTraceSvg(trace, id);
    expect(svg).toContain(">loop forever: back to State 4</text>");
    expect(svg).toContain(">State 8 = State 4</text>");
    expect(svg).toContain(">violated for thread = 1</text>");
    expect(svg).not.toContain('class="stutter"');
  });

  test("a stuttering end (live-hold-unaccepted-faults): said as stuttering everywhere, drawn without a loop", () => {
    const { trace, id } = load("live-hold-unaccepted-faults.itf.json");
    expect(trace.closing).toBe("stutter");
    expect(formatTraceText(trace)).toContain("State 6: Stuttering\n(State 5 repeats forever: no fairly scheduled action changes it)");
    const md = formatTraceMarkdown(trace, id);
    expect(md).toContain("| 6 | stuttering: State 5 repeats forever | (no variable changes) |");
    expect(md).toContain("then State 5 stutters forever");
    const mermaid = formatMermaid(trace);
    expect(mermaid).toContain("Note over t1,p0: State 6: stuttering, State 5 repeats forever");
    expect(mermaid).not.toContain("loop ");
    const svg = formatTraceSvg(trace, id);
    expect(svg).toContain('class="stutter"');
    expect(svg).toContain("stuttering: State 5 repeats forever");
    expect(svg).not.toContain("loop forever");
  });
});

/** A refinement trace of the proposed kernel through the first enabled step matching each test, on a refinement configuration. */
function refinementTrace(configName: string, picks: readonly ((step: Step<ProductState>) => boolean)[], arch = "proposed"): Trace {
  const config = refinementConfigNamed(configName);
  const refinement = buildRefinement({ spec: config.spec, kernel: kernelConfigFor(config.spec, config.cpus), arch });
  let state = [...refinement.product.initialStates()][0]!;
  const labels = picks.map((pick, index) => {
    const step = [...refinement.product.successors(state)].find(pick);
    if (step === undefined) throw new Error(`no step ${index + 1} matches`);
    state = step.state;
    return { action: step.action, params: step.params };
  });
  return {
    kind: "refinement", machine: refinement.product.name, config: config.name, configValue: { spec: config.spec, cpus: config.cpus } as never, mutant: null, arch,
    violation: { kind: "refinement", name: "TlbAgreesWithPageTables", quote: "" }, command: [], toolVersion: "test", vars: refinement.product.variables,
    steps: refinementSteps(refinement, labels).steps,
  };
}

const is = (action: string, params: ActionParams) => (step: Step<ProductState>) => step.action === action && Object.entries(params).every(([k, v]) => step.params[k] === v);

describe("refinement pictures show the concrete side", () => {
  test("no-shootdown: the CPU of every step, the TLB fill on CPU 0, no invalidation of it, the entry still held at the end", () => {
    const { trace, id } = load("impl-no-shootdown.itf.json");
    const chart = chartOf(trace);
    expect(chart.lifelines.map((l) => l.title)).toEqual(["thread 1", "TLB of CPU 0", "kernel", "pager 0"]);
    expect(chart.steps.map((s) => s.cpu)).toEqual([0, 0, 0, 1]);
    const events = chart.steps.flatMap((s) => s.events);
    expect(events).toContainEqual({ kind: "tlb-fill", from: "p0", to: "tlb0", label: "fill 0x00400000 → 0x40000000 ro" });
    expect(events.some((e) => e.kind === "invalidate")).toBe(false);
    expect(chart.holds).toEqual([{ lifeline: "tlb0", linear: "0x00400000", from: 4, to: undefined }]);
    expect(chart.finalNotes).toEqual([{ kind: "note", from: "tlb0", to: "tlb0", label: "still holds 0x00400000 → 0x40000000 ro" }]);
    const svg = formatTraceSvg(trace, id);
    for (const text of ["TLB of CPU 0", "State 5 · CPU 1", "fill 0x00400000 → 0x40000000 ro", "still holds 0x00400000 →", "0x40000000 ro"]) expect(svg).toContain(`>${text}</text>`);
    expect(svg).toContain('class="hold"');
    const mermaid = formatMermaid(trace);
    expect(mermaid).toContain("participant tlb0 as TLB of CPU 0 (hardware)");
    expect(mermaid).toContain("p0->>tlb0: State 4 · CPU 0: fill 0x00400000 → 0x40000000 ro\n  activate tlb0");
  });

  test("with the shootdown: an unmap on CPU 0 invalidates the entry CPU 1's TLB holds, and the hold ends there", () => {
    const trace = refinementTrace("micro-2cpu", [
      is("AssignManager", { cpu: 0, manager: 0 }),
      is("Map", { cpu: 0, rights: "ro" }),
      is("Access", { cpu: 1, access: "read", result: "hit" }),
      is("Unmap", { cpu: 0, revoke: false }),
    ]);
    const chart = chartOf(trace);
    const events = chart.steps.flatMap((s) => s.events);
    expect(events).toContainEqual({ kind: "tlb-fill", from: "t1", to: "tlb1", label: "fill 0x00400000 → 0x40000000 ro" });
    expect(events).toContainEqual({ kind: "invalidate", from: "kernel", to: "tlb1", label: "INVLPG 0x00400000 (shootdown from CPU 0)" });
    expect(chart.holds).toEqual([{ lifeline: "tlb1", linear: "0x00400000", from: 4, to: 5 }]);
    expect(formatMermaid(trace)).toMatch(/activate tlb1\n[\s\S]*INVLPG 0x00400000 \(shootdown from CPU 0\)\n {2}deactivate tlb1/);
  });

  test("L4Re: the region mapper has a lifeline; the kernel delivers the fault to it and it reflects it to the pager", () => {
    const { trace } = load("impl-l4re-no-present-recheck.itf.json");
    const chart = chartOf(trace);
    expect(chart.lifelines.map((l) => [l.kind, l.title])).toContainEqual(["region-mapper", "region mapper 3"]);
    const events = chart.steps.flatMap((s) => s.events.map((e) => [s.number, e.from, e.to, e.label]));
    expect(events).toContainEqual([5, "kernel", "t3", "fault message (thread 1)"]);
    expect(events).toContainEqual([6, "t3", "t3", "receives the next fault message"]);
    expect(events).toContainEqual([7, "t3", "kernel", "its decision: reflect to pager 0"]);
    expect(events).toContainEqual([7, "kernel", "p0", "fault message (thread 1)"]);
  });

  test("trace show --format text of a refinement trace has refine's two columns: concrete | abstract", async () => {
    const run = await multipagerTrace("show", path("impl-no-shootdown.itf.json"));
    expect(run.stdout).toContain("  concrete");
    expect(run.stdout).toMatch(/^ {2}concrete +\| abstract$/m);
    expect(run.stdout).toContain("  maps to: <ClearManager(thread = 1, region = 0)>");
    expect(run.stdout).toMatch(/\/\\ regionTable\[0\]\[0\] = \[assigned \|-> FALSE, accepted \|-> FALSE\] +\| \/\\ regionTable\[0\]\[0\] = \[assigned \|-> FALSE, accepted \|-> FALSE\]/);
  });
});

describe("a decision's witness is shown as a witness, not as a counterexample", () => {
  test("decision-d2-revoke-with-blocked-threads: the decision acts at the last step in text, Markdown, Mermaid, SVG and replay", async () => {
    const file = path("decision-d2-revoke-with-blocked-threads.itf.json");
    const { trace, id } = load("decision-d2-revoke-with-blocked-threads.itf.json");
    const text = await multipagerTrace("show", file);
    expect(text.stdout).toMatch(new RegExp(`^Witness ${id}\nWitness: decision D2 acts at the last step\\.\n`));
    expect(text.stdout).toContain("The behavior:");
    expect(text.stdout).not.toMatch(/Counterexample|Error/);
    const md = formatTraceMarkdown(trace, id);
    expect(md).toContain(`### Witness \`${id}\`: decision D2`);
    expect(md).toContain("| Witnessed | decision **D2** acts at the last step |");
    expect(md).toContain("After State 6: decision **D2** acts at the last step.");
    expect(md).not.toMatch(/Counterexample|Violated/);
    expect(formatMermaid(trace).split("\n").at(-1)).toBe("  Note over t1,p0: decision D2 acts at the last step");
    const svg = formatTraceSvg(trace, id);
    expect(svg).toContain(`>Witness ${id}: decision D2 acts</text>`);
    expect(svg).not.toContain("Counterexample");
    const replay = await multipagerTrace("replay", file);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain(`Replaying witness ${id} (witness D2, 5 steps)`);
    expect(replay.stdout).toContain("Reproduces: all 5 steps apply and decision D2 acts at the last step.");
  });
});

describe("a refinement lasso (refine --liveness) records and shows its closing step, as a spec lasso does", () => {
  test("impl-drop-fault-when-queue-busy: closed by Schedule on CPU 0, shown in text, Markdown, Mermaid and SVG; replay re-executes it", async () => {
    const file = path("impl-drop-fault-when-queue-busy.itf.json");
    const { trace, id } = load("impl-drop-fault-when-queue-busy.itf.json");
    expect(trace.loop).toBe(9);
    expect(trace.closing).toEqual({ action: "Schedule", params: { cpu: 0, thread: 0 } });
    const text = await multipagerTrace("show", file);
    // The closing step with what it changes, in the two columns.
    expect(text.stdout).toMatch(/State 21: <Schedule\(cpu = 0, thread = 0\)> Back to state 10\n {2}concrete +\| abstract\n {2}\/\\ threads\[0\] = \[tag \|-> "running", cpu \|-> 0\] +\| \(no variable changed\)/);
    const md = formatTraceMarkdown(trace, id);
    expect(md).toMatch(/\| 21 \| `Schedule\(cpu = 0, thread = 0\)` back to State 10 \| `threads\[0\] = \[tag \\\|-> "running", cpu \\\|-> 0\]`.* \|  \| \(no change\) \|/);
    const mermaid = formatMermaid(trace);
    expect(mermaid).toContain("  loop forever: back to State 10\n");
    expect(mermaid).toContain("Note over kernel: State 21 · CPU 0 = State 10: CPU 0 runs thread 0\n  end");
    const svg = formatTraceSvg(trace, id);
    expect(svg).toContain(">loop forever: back to State 10</text>");
    expect(svg).toContain(">State 21 · CPU 0 = State 10</text>");
    const replay = await multipagerTrace("replay", file);
    expect(replay.code).toBe(13);
    // The recorded closing step is re-executed: on a trace whose closing step is another enabled one that does not lead back, replay says so.
    const elsewhere = { ...trace, closing: { action: "Schedule", params: { cpu: 0, thread: 2 } } };
    const { replayTrace } = await import("../../trace/reproduce.js");
    expect(await replayTrace(elsewhere, file)).toMatchObject({ kind: "does-not-apply", step: 20 });
  });

  test("impl-cpu-keeps-first-thread: a stuttering end, said and drawn as stuttering", async () => {
    const { trace, id } = load("impl-cpu-keeps-first-thread.itf.json");
    expect(trace.closing).toBe("stutter");
    expect(formatTraceText(trace)).toContain("State 7: Stuttering\n(State 6 repeats forever: no fairly scheduled action changes it)");
    expect(formatMermaid(trace)).toContain("Note over t1,p0: State 7: stuttering, State 6 repeats forever");
    expect(formatTraceSvg(trace, id)).toContain('class="stutter"');
  });
});
