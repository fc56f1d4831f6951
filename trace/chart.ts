/**
 * A trace as a message sequence chart, in the manner of the paper's Fig. 4:
 * one lifeline per ordinary thread, the kernel, and one per pager; each step
 * becomes the messages it stands for (the CPU's trap into the kernel, the
 * fault message to the region's manager, the pager's map and reply, the
 * kernel resuming the thread, a general-protection fault).
 *
 * Both renderings (SVG, Mermaid) are drawn from this one list of events.
 * Actions the chart does not know become notes on the kernel's lifeline, so
 * any machine's trace still renders.
 */
import { match, P } from "ts-pattern";
import type { ActionParams, TraceValue } from "../model/machine.js";
import { formatAction, formatValue } from "../model/trace-text.js";
import type { Trace } from "../model/trace.js";

export type EventKind = "trap" | "fault-message" | "map" | "unmap" | "reply" | "resume" | "general-protection" | "syscall" | "note";

export interface Lifeline {
  /** Stable key: "t<N>" for a thread, "kernel", "p<N>" for a pager. */
  readonly key: string;
  readonly title: string;
  readonly subtitle: string;
}

export interface ChartEvent {
  /** The trace step (state index) this event belongs to. */
  readonly step: number;
  readonly kind: EventKind;
  readonly from: string;
  /** Same as `from` for a note. */
  readonly to: string;
  readonly label: string;
}

export interface Chart {
  readonly lifelines: readonly Lifeline[];
  readonly events: readonly ChartEvent[];
}

interface ThreadInfo {
  readonly task: number;
  readonly pager: boolean;
}

/** The threads of the configuration (spec/ and impl/ configurations list them as {task, pager?}; refinement's wrap a spec one). */
function threadsOf(configValue: TraceValue): ThreadInfo[] {
  if (configValue === null || typeof configValue !== "object" || Array.isArray(configValue)) return [];
  const record = configValue as Record<string, TraceValue>;
  // A refinement configuration wraps the spec's: { spec: {...}, cpus }.
  if (!("threads" in record) && "spec" in record) return threadsOf(record["spec"]!);
  const threads = record["threads"];
  if (!Array.isArray(threads)) return [];
  return (threads as readonly TraceValue[]).map((entry) => {
    const record = (entry !== null && typeof entry === "object" && !Array.isArray(entry) ? entry : {}) as Record<string, TraceValue>;
    return { task: typeof record["task"] === "number" ? record["task"] : 0, pager: record["pager"] === true };
  });
}

export function lifelinesOf(trace: Trace): Lifeline[] {
  const threads = threadsOf(trace.configValue);
  const thread = threads.flatMap((info, index) => (info.pager ? [] : [{ key: `t${index}`, title: `thread ${index}`, subtitle: `task ${info.task}` }]));
  const pagers = threads.flatMap((info, index) => (info.pager ? [{ key: `p${index}`, title: `pager ${index}`, subtitle: `task ${info.task}` }] : []));
  return [...thread, { key: "kernel", title: "kernel", subtitle: "zero level" }, ...pagers];
}

/** A param for a label: strings bare (read, ro), everything else in TLA+ notation. */
const plain = (value: TraceValue | undefined): string => (value === undefined ? "?" : typeof value === "string" ? value : formatValue(value));

const num = (params: ActionParams, name: string): number | undefined => (typeof params[name] === "number" ? (params[name] as number) : undefined);

/** A user address as "region r, page p", a kernel-space one as "kernel address k". */
function addressText(params: ActionParams): string {
  if (params["space"] === "kernel") return `kernel address ${plain(params["kernelAddress"])}`;
  return `region ${plain(params["region"])} page ${plain(params["page"])}`;
}

/** The events one step of the spec's actions stands for. */
function eventsOf(step: number, action: string, params: ActionParams, lifeline: (thread: number | undefined) => string): ChartEvent[] {
  const thread = lifeline(num(params, "thread"));
  const say = (kind: EventKind, from: string, to: string, label: string): ChartEvent => ({ step, kind, from, to, label });
  return match(action)
    .with("AssignManager", () => [say("syscall", thread, "kernel", `assign region ${plain(params["region"])} to pager ${plain(params["manager"])}`)])
    .with("ClearManager", () => [say("syscall", thread, "kernel", `clear manager of region ${plain(params["region"])}`)])
    .with("Map", () => [
      say("map", lifeline(num(params, "manager")), "kernel", `map frame ${plain(params["frame"])} ${plain(params["rights"])} at ${addressText(params)}`),
    ])
    .with("Unmap", () => [
      say("unmap", lifeline(num(params, "manager")), "kernel", `unmap ${addressText(params)}${params["revoke"] === true ? " + REVOKE_AGREEMENT" : ""}`),
    ])
    .with("Access", () =>
      params["result"] === "trap"
        ? [say("trap", thread, "kernel", `page fault: ${plain(params["access"])} ${addressText(params)}`)]
        : [say("note", thread, thread, `${plain(params["access"])} ${addressText(params)}: hit`)],
    )
    .with("Dispatch", () =>
      match(params["outcome"])
        .with("delivered", () => [say("fault-message", "kernel", lifeline(num(params, "pager")), `fault message (thread ${plain(params["thread"])})`)])
        .with("resumed", () => [say("resume", "kernel", thread, "resume (page restored meanwhile)")])
        .with("general-protection", () => [say("general-protection", "kernel", thread, `general-protection fault: ${plain(params["reason"])}`)])
        .otherwise(() => [say("note", "kernel", "kernel", formatAction(action, params))]),
    )
    .with("Resolve", () => {
      const pager = lifeline(num(params, "pager"));
      return [
        say("map", pager, "kernel", `map frame ${plain(params["frame"])} ${plain(params["rights"])} + reply`),
        say("resume", "kernel", thread, "resume"),
      ];
    })
    .with("Resume", () => [say("reply", lifeline(num(params, "pager")), "kernel", "reply"), say("resume", "kernel", thread, "resume")])
    .with("Refuse", () => [
      say("reply", lifeline(num(params, "pager")), "kernel", "refuse"),
      say("general-protection", "kernel", thread, "general-protection fault: refused"),
    ])
    .with("HandleException", () => [say("note", thread, thread, "exception handled")])
    .otherwise(() => [say("note", "kernel", "kernel", formatAction(action, params))]);
}

export function chartOf(trace: Trace): Chart {
  const lifelines = lifelinesOf(trace);
  const keys = new Set(lifelines.map((l) => l.key));
  const lifeline = (thread: number | undefined): string => {
    if (thread === undefined) return "kernel";
    if (keys.has(`t${thread}`)) return `t${thread}`;
    if (keys.has(`p${thread}`)) return `p${thread}`;
    return "kernel";
  };
  const events = trace.steps.flatMap((step, index) => {
    if (index === 0) return [];
    // A refinement step is charted by its abstract image (the design-level event), when it has one that moves.
    const image = step.abstract;
    if (image === undefined || image.action === "Stutter" || image.action === "Undefined" || index === 0) return eventsOf(index, step.action, step.params, lifeline);
    // A concrete step that is several design events at once ("Dispatch+Resolve") lists them in params.steps.
    const parts = image.params["steps"];
    if (image.action.includes("+") && Array.isArray(parts)) {
      return (parts as readonly TraceValue[]).flatMap((part) => {
        const record = (typeof part === "object" && part !== null && !Array.isArray(part) ? part : {}) as Record<string, TraceValue>;
        const params = (typeof record["params"] === "object" && record["params"] !== null ? record["params"] : {}) as ActionParams;
        return eventsOf(index, typeof record["action"] === "string" ? record["action"] : "?", params, lifeline);
      });
    }
    return eventsOf(index, image.action, image.params, lifeline);
  });
  return { lifelines, events };
}

/** The shape of an event's arrow, for both renderings. */
export function isNote(event: ChartEvent): boolean {
  return match(event)
    .with({ kind: "note" }, () => true)
    .with({ kind: P.string }, (e) => e.from === e.to)
    .exhaustive();
}
