/**
 * A trace as a message sequence chart, in the manner of the paper's Fig. 4:
 * one lifeline per ordinary thread, the kernel, and one per pager; each step
 * becomes the messages it stands for (the CPU's trap into the kernel, the
 * fault message to the region's manager, the pager's map and reply, the
 * kernel resuming the thread, a general-protection fault).
 *
 * A refinement trace also shows its concrete side: the CPU each step ran on,
 * a lifeline per CPU's TLB with its fills and invalidations (and the entries
 * it still holds), and L4Re's region mapper, whose delivery, decision and
 * forwarding are steps of their own. A lasso keeps the step that closes its
 * cycle, or says that its last state stutters forever.
 *
 * Both renderings (SVG, Mermaid) are drawn from this one chart. Actions the
 * chart does not know become notes on the kernel's lifeline, so any
 * machine's trace still renders. Steps are numbered as the text numbers its
 * states (model/trace.ts's stateNumber).
 */
import { match } from "ts-pattern";
import { ARCH_NAMES, architectureNamed } from "../impl/arch/index.js";
import { fromSpecConfig } from "../impl/kernel/config.js";
import type { ArchName } from "../impl/arch/index.js";
import type { ActionParams, TraceValue } from "../model/machine.js";
import { formatAction, formatValue } from "../model/trace-text.js";
import { stateNumber, type Trace, type TraceStep } from "../model/trace.js";
import type { SpecConfig } from "../spec/index.js";

export type EventKind =
  | "trap"
  | "fault-message"
  | "map"
  | "unmap"
  | "reply"
  | "resume"
  | "general-protection"
  | "syscall"
  | "tlb-fill"
  | "invalidate"
  | "note";

/** What each kind of arrow means, for the legend (in drawing order). */
export const EVENT_MEANING: Readonly<Record<EventKind, string>> = {
  trap: "page fault (trap into the kernel)",
  "fault-message": "fault message to the region's manager",
  map: "map (the pager's acceptance)",
  unmap: "unmap",
  reply: "pager's reply",
  resume: "resume the thread",
  "general-protection": "general-protection fault",
  syscall: "other system call",
  "tlb-fill": "TLB fill (hardware walk)",
  invalidate: "TLB invalidation (INVLPG, shootdown)",
  note: "step on one lifeline",
};

export type LifelineKind = "thread" | "tlb" | "kernel" | "region-mapper" | "pager";

export interface Lifeline {
  /** Stable key: "t<N>" for a thread or region mapper, "kernel", "p<N>" for a pager, "tlb<C>" for CPU C's TLB. */
  readonly key: string;
  readonly kind: LifelineKind;
  readonly title: string;
  readonly subtitle: string;
}

export interface ChartEvent {
  readonly kind: EventKind;
  readonly from: string;
  /** Same as `from` for a note. */
  readonly to: string;
  readonly label: string;
}

/** One step of the behaviour: the messages of the step into State `number`. */
export interface ChartStep {
  /** stateNumber of the state the step leads to (for a lasso's closing step, one past the last state). */
  readonly number: number;
  /** The CPU the step ran on (refinement traces). */
  readonly cpu?: number;
  /** A lasso's step back into its cycle. */
  readonly closing: boolean;
  readonly events: readonly ChartEvent[];
}

/** A TLB entry's life on its lifeline: from the step that filled it to the one that dropped it (undefined: still held at the end). */
export interface TlbHold {
  readonly lifeline: string;
  readonly linear: string;
  readonly from: number;
  readonly to: number | undefined;
}

export type ChartLasso =
  /** The cycle runs from State `back` through the closing step back to State `back`. */
  | { readonly kind: "cycle"; readonly back: number; readonly first: number }
  /** State `back` repeats forever. */
  | { readonly kind: "stutter"; readonly back: number; readonly number: number };

export interface Chart {
  readonly lifelines: readonly Lifeline[];
  readonly steps: readonly ChartStep[];
  readonly holds: readonly TlbHold[];
  /** What the TLBs still hold after the last state (refinement traces), as notes. */
  readonly finalNotes: readonly ChartEvent[];
  readonly lasso?: ChartLasso;
}

interface ThreadInfo {
  readonly task: number;
  readonly pager: boolean;
}

const isRecord = (value: unknown): value is Record<string, TraceValue> => value !== null && typeof value === "object" && !Array.isArray(value);

/** The spec configuration of a trace (refinement traces wrap it: { spec, cpus }). */
function specConfigOf(configValue: TraceValue): Record<string, TraceValue> | undefined {
  if (!isRecord(configValue)) return undefined;
  if (!("threads" in configValue) && isRecord(configValue["spec"])) return configValue["spec"];
  return configValue;
}

function threadsOf(configValue: TraceValue): ThreadInfo[] {
  const threads = specConfigOf(configValue)?.["threads"];
  if (!Array.isArray(threads)) return [];
  return (threads as readonly TraceValue[]).map((entry) => {
    const record = isRecord(entry) ? entry : {};
    return { task: typeof record["task"] === "number" ? record["task"] : 0, pager: record["pager"] === true };
  });
}

/** The threads an architecture runs itself at user level (L4Re's region mappers, hidden from the spec), by task, as impl/ numbers them. */
function regionMappersOf(trace: Trace): { thread: number; task: number }[] {
  if (trace.arch === undefined || !(ARCH_NAMES as readonly string[]).includes(trace.arch)) return [];
  const spec = specConfigOf(trace.configValue);
  if (spec === undefined) return [];
  try {
    const arch = architectureNamed(trace.arch as ArchName);
    const config = arch.withOwnThreads(fromSpecConfig(spec as unknown as SpecConfig));
    return config.threads.flatMap((t, thread) => (arch.roleOf(config, thread) === "runtime" ? [{ thread, task: t.task }] : []));
  } catch {
    return [];
  }
}

const tlbsOf = (step: TraceStep): readonly TraceValue[][] | undefined => {
  const cpus = step.state["cpus"];
  if (!Array.isArray(cpus)) return undefined;
  return (cpus as readonly TraceValue[]).map((cpu) => (isRecord(cpu) && Array.isArray(cpu["tlb"]) ? [...(cpu["tlb"] as readonly TraceValue[])] : []));
};

/** The CPUs whose TLB holds an entry somewhere in the trace: they get a lifeline. */
function tlbCpus(trace: Trace): number[] {
  const used = new Set<number>();
  for (const step of trace.steps) tlbsOf(step)?.forEach((entries, cpu) => entries.length > 0 && used.add(cpu));
  return [...used].sort((a, b) => a - b);
}

export function lifelinesOf(trace: Trace): Lifeline[] {
  const threads = threadsOf(trace.configValue);
  const thread = threads.flatMap((info, index): Lifeline[] => (info.pager ? [] : [{ key: `t${index}`, kind: "thread", title: `thread ${index}`, subtitle: `task ${info.task}` }]));
  const tlbs = tlbCpus(trace).map((cpu): Lifeline => ({ key: `tlb${cpu}`, kind: "tlb", title: `TLB of CPU ${cpu}`, subtitle: "hardware" }));
  const mappers = regionMappersOf(trace).map(({ thread, task }): Lifeline => ({ key: `t${thread}`, kind: "region-mapper", title: `region mapper ${thread}`, subtitle: `task ${task}, L4Re` }));
  const pagers = threads.flatMap((info, index): Lifeline[] => (info.pager ? [{ key: `p${index}`, kind: "pager", title: `pager ${index}`, subtitle: `task ${info.task}` }] : []));
  return [...thread, ...tlbs, { key: "kernel", kind: "kernel", title: "kernel", subtitle: "zero level" }, ...mappers, ...pagers];
}

/** A param for a label: strings bare (read, ro), everything else in TLA+ notation. */
const plain = (value: TraceValue | undefined): string => (value === undefined ? "?" : typeof value === "string" ? value : formatValue(value));

const num = (params: ActionParams, name: string): number | undefined => (typeof params[name] === "number" ? (params[name] as number) : undefined);

/** A user address as "region r page p", a kernel-space one as "kernel address k". */
function addressText(params: ActionParams): string {
  if (params["space"] === "kernel") return `kernel address ${plain(params["kernelAddress"] ?? params["index"])}`;
  return `region ${plain(params["region"])} page ${plain(params["page"])}`;
}

type LifelineOf = (thread: number | undefined) => string;

const say = (kind: EventKind, from: string, to: string, label: string): ChartEvent => ({ kind, from, to, label });

/** The events one design action stands for (the spec's actions, and the kernel's steps of the same name). */
function designEvents(action: string, params: ActionParams, lifeline: LifelineOf): ChartEvent[] | undefined {
  const thread = lifeline(num(params, "thread"));
  return match(action)
    .returnType<ChartEvent[] | undefined>()
    .with("AssignManager", () => [say("syscall", thread, "kernel", `assign region ${plain(params["region"])} to pager ${plain(params["manager"])}`)])
    .with("ClearManager", () => [say("syscall", thread, "kernel", `clear the manager of region ${plain(params["region"])}`)])
    .with("Map", () => [say("map", lifeline(num(params, "manager")), "kernel", `map frame ${plain(params["frame"])} ${plain(params["rights"])} at ${addressText(params)}`)])
    .with("Unmap", () => [
      say("unmap", lifeline(num(params, "manager")), "kernel", `unmap ${addressText(params)}, marker ${plain(params["marker"])}${params["revoke"] === true ? " + REVOKE_AGREEMENT" : ""}`),
    ])
    .with("Access", () =>
      params["result"] === "trap"
        ? [say("trap", thread, "kernel", `page fault: ${plain(params["access"])} ${addressText(params)}`)]
        : [say("note", thread, thread, `${plain(params["access"])} ${addressText(params)}: hit`)],
    )
    .with("Dispatch", () =>
      match(params["outcome"])
        .returnType<ChartEvent[]>()
        .with("delivered", () => [say("fault-message", "kernel", lifeline(num(params, "pager")), `fault message (thread ${plain(params["thread"])})`)])
        .with("resumed", () => [say("resume", "kernel", thread, "resume (page restored meanwhile)")])
        .with("general-protection", () => [say("general-protection", "kernel", thread, `general-protection fault: ${plain(params["reason"])}`)])
        .with("resolved-in-kernel", () => [say("resume", "kernel", thread, `resolved in the kernel: frame ${plain(params["frame"])}`)])
        .otherwise(() => [say("note", "kernel", "kernel", formatAction(action, params))]),
    )
    .with("Resolve", () => [
      say("map", lifeline(num(params, "pager")), "kernel", `map frame ${plain(params["frame"])} ${plain(params["rights"])} + reply`),
      say("resume", "kernel", thread, "resume"),
    ])
    .with("Resume", () => [say("reply", lifeline(num(params, "pager")), "kernel", "reply"), say("resume", "kernel", thread, "resume")])
    .with("Refuse", () => [
      say("reply", lifeline(num(params, "pager")), "kernel", "refuse"),
      say("general-protection", "kernel", thread, "general-protection fault: refused"),
    ])
    .with("HandleException", () => [say("note", thread, thread, "exception handled")])
    .otherwise(() => undefined);
}

/** The kernel's own steps (stutters for the design) and L4Re's region mapper's. */
function kernelEvents(action: string, params: ActionParams, lifeline: LifelineOf): ChartEvent[] | undefined {
  const thread = lifeline(num(params, "thread"));
  return match(action)
    .returnType<ChartEvent[] | undefined>()
    .with("Schedule", () => [say("note", "kernel", "kernel", `CPU ${plain(params["cpu"])} runs thread ${plain(params["thread"])}`)])
    .with("Preempt", () => [say("note", "kernel", "kernel", `timer: CPU ${plain(params["cpu"])} preempts thread ${plain(params["from"])}, runs thread ${plain(params["thread"])}`)])
    .with("Receive", () => [say("note", thread, thread, "receives the next fault message")])
    .with("Yield", () => [say("syscall", thread, "kernel", "yield")])
    .with("DeliverFault", () => [say("fault-message", "kernel", lifeline(num(params, "to")), `fault message (thread ${plain(params["thread"])})`)])
    .with("Reflect", () => [
      say("reply", lifeline(num(params, "from")), "kernel", `reflect to pager ${plain(params["to"])}`),
      say("fault-message", "kernel", lifeline(num(params, "to")), `fault message (thread ${plain(params["thread"])})`),
    ])
    .with("ForwardReply", () => [say("reply", lifeline(num(params, "from")), "kernel", "pass the reply on"), say("resume", "kernel", thread, "resume")])
    .otherwise(() => undefined);
}

function eventsOf(action: string, params: ActionParams, lifeline: LifelineOf): ChartEvent[] {
  return designEvents(action, params, lifeline) ?? kernelEvents(action, params, lifeline) ?? [say("note", "kernel", "kernel", formatAction(action, params))];
}

/** The design-level events of a refinement step: its abstract image, when it moves; else the concrete step itself. */
function refinementEvents(step: TraceStep, lifeline: LifelineOf): ChartEvent[] {
  const image = step.abstract;
  if (image === undefined || image.action === "Stutter" || image.action === "Undefined" || image.action === "Init") return eventsOf(step.action, step.params, lifeline);
  // A concrete step that is several design events at once ("Map+Dispatch") lists them in params.steps.
  const parts = image.params["steps"];
  if (image.action.includes("+") && Array.isArray(parts)) {
    return (parts as readonly TraceValue[]).flatMap((part) => {
      const record = isRecord(part) ? part : {};
      const params = (isRecord(record["params"]) ? record["params"] : {}) as ActionParams;
      return eventsOf(typeof record["action"] === "string" ? record["action"] : "?", params, lifeline);
    });
  }
  return eventsOf(image.action, image.params, lifeline);
}

/** Who made a design step on an L4Re CPU: its region mapper decides faults (the Dispatch), on the CPU it runs on. */
function regionMapperDispatch(step: TraceStep, previous: TraceStep | undefined, mappers: ReadonlySet<number>): number | undefined {
  if (step.action !== "Dispatch" || previous === undefined) return undefined;
  const cpu = num(step.params, "cpu");
  const cpus = previous.state["cpus"];
  if (cpu === undefined || !Array.isArray(cpus)) return undefined;
  const on = (cpus as readonly TraceValue[])[cpu];
  const running = isRecord(on) && typeof on["thread"] === "number" ? on["thread"] : undefined;
  return running !== undefined && mappers.has(running) ? running : undefined;
}

/** The system call by which L4Re's region mapper answers a fault it decided. */
function regionMapperDecision(params: ActionParams): string {
  return match(params["outcome"])
    .with("delivered", () => `its decision: reflect to pager ${plain(params["pager"])}`)
    .with("resumed", () => "its decision: resume (page present)")
    .with("general-protection", () => `its decision: refuse (${plain(params["reason"])})`)
    .otherwise((outcome) => `its decision: ${plain(outcome)}`);
}

interface TlbEntry {
  readonly linear: string;
  readonly text: string;
}

function tlbEntry(value: TraceValue): TlbEntry | undefined {
  if (!isRecord(value) || typeof value["linear"] !== "string") return undefined;
  const rights = value["writable"] === true ? "rw" : "ro";
  return { linear: value["linear"], text: `${value["linear"]} → ${plain(value["physical"])} ${rights}` };
}

const entriesOf = (tlb: readonly TraceValue[] | undefined): Map<string, TlbEntry> =>
  new Map((tlb ?? []).flatMap((value) => {
    const entry = tlbEntry(value);
    return entry === undefined ? [] : [[entry.linear, entry] as const];
  }));

/** TLB fills and invalidations between two states, per CPU with a lifeline. */
function tlbEvents(previous: TraceStep, current: TraceStep, cpus: readonly number[], stepCpu: number | undefined, actor: string): ChartEvent[] {
  const before = tlbsOf(previous);
  const after = tlbsOf(current);
  if (before === undefined || after === undefined) return [];
  return cpus.flatMap((cpu) => {
    const was = entriesOf(before[cpu]);
    const is = entriesOf(after[cpu]);
    const fills = [...is.values()].filter((entry) => was.get(entry.linear)?.text !== entry.text);
    const drops = [...was.values()].filter((entry) => !is.has(entry.linear));
    const remote = stepCpu !== undefined && stepCpu !== cpu ? ` (shootdown from CPU ${stepCpu})` : "";
    return [
      ...fills.map((entry) => say("tlb-fill", actor, `tlb${cpu}`, `fill ${entry.text}`)),
      ...drops.map((entry) => say("invalidate", "kernel", `tlb${cpu}`, `INVLPG ${entry.linear}${remote}`)),
    ];
  });
}

export function chartOf(trace: Trace): Chart {
  const lifelines = lifelinesOf(trace);
  const keys = new Set(lifelines.map((l) => l.key));
  const lifeline: LifelineOf = (thread) => {
    if (thread === undefined) return "kernel";
    if (keys.has(`t${thread}`)) return `t${thread}`;
    if (keys.has(`p${thread}`)) return `p${thread}`;
    return "kernel";
  };
  const mappers = new Set(regionMappersOf(trace).map((m) => m.thread));
  const cpus = lifelines.flatMap((l) => (l.kind === "tlb" ? [Number(l.key.slice(3))] : []));
  const refinement = trace.kind === "refinement";

  /** The chart row of one step from `previous` to `step` (a lasso's closing step leads back to the loop state). */
  const rowOf = (previous: TraceStep, step: TraceStep, number: number, closing: boolean): ChartStep => {
    const cpu = refinement ? num(step.params, "cpu") : undefined;
    let events = refinement ? refinementEvents(step, lifeline) : eventsOf(step.action, step.params, lifeline);
    const mapper = regionMapperDispatch(step, previous, mappers);
    // L4Re: the region mapper's decision reaches the kernel as a system call (Reflect, Resume, Refuse).
    if (mapper !== undefined) events = [say("syscall", `t${mapper}`, "kernel", regionMapperDecision(step.params)), ...events];
    const actor = lifeline(num(step.params, "thread"));
    events = [...events, ...tlbEvents(previous, step, cpus, cpu, actor === "kernel" ? "kernel" : actor)];
    return { number, ...(cpu !== undefined ? { cpu } : {}), closing, events };
  };
  const steps: ChartStep[] = trace.steps.flatMap((step, index): ChartStep[] => (index === 0 ? [] : [rowOf(trace.steps[index - 1]!, step, stateNumber(index), false)]));

  // A violation in the initial state still gets a row saying so.
  if (steps.length === 0 && trace.loop === undefined) steps.push({ number: stateNumber(0), closing: false, events: [say("note", "kernel", "kernel", "the initial state already breaks it")] });

  let lasso: ChartLasso | undefined;
  if (trace.loop !== undefined) {
    const back = stateNumber(trace.loop);
    const closingNumber = stateNumber(trace.steps.length);
    const closing = trace.closing;
    if (closing === "stutter") lasso = { kind: "stutter", back, number: closingNumber };
    else {
      const last = trace.steps[trace.steps.length - 1]!;
      // The closing step leads from the last state back to the loop state; its abstract move is not recorded, so it is drawn as the concrete step.
      const home = { action: closing?.action ?? "", params: closing?.params ?? {}, state: trace.steps[trace.loop]!.state };
      steps.push(closing === undefined ? { number: closingNumber, closing: true, events: [say("note", "kernel", "kernel", `back to State ${back}`)] } : rowOf(last, home, closingNumber, true));
      lasso = { kind: "cycle", back, first: back + 1 };
    }
  }

  const { holds, finalNotes } = tlbLives(trace, cpus);
  return { lifelines, steps, holds, finalNotes, ...(lasso !== undefined ? { lasso } : {}) };
}

/** Each TLB entry's life (state numbers), and what each TLB still holds after the last state. */
function tlbLives(trace: Trace, cpus: readonly number[]): { holds: TlbHold[]; finalNotes: ChartEvent[] } {
  const holds: TlbHold[] = [];
  const open = new Map<string, { lifeline: string; linear: string; from: number }>();
  trace.steps.forEach((step, index) => {
    const tlbs = tlbsOf(step);
    if (tlbs === undefined) return;
    for (const cpu of cpus) {
      const entries = entriesOf(tlbs[cpu]);
      for (const [key, hold] of [...open]) {
        if (hold.lifeline !== `tlb${cpu}` || entries.has(hold.linear)) continue;
        holds.push({ ...hold, to: stateNumber(index) });
        open.delete(key);
      }
      for (const linear of entries.keys()) {
        const key = `${cpu} ${linear}`;
        if (!open.has(key)) open.set(key, { lifeline: `tlb${cpu}`, linear, from: stateNumber(index) });
      }
    }
  });
  for (const hold of open.values()) holds.push({ ...hold, to: undefined });
  const last = trace.steps[trace.steps.length - 1];
  const tlbs = last === undefined ? undefined : tlbsOf(last);
  const finalNotes = cpus.flatMap((cpu) => {
    const entries = [...entriesOf(tlbs?.[cpu]).values()];
    return entries.length === 0 ? [] : [say("note", `tlb${cpu}`, `tlb${cpu}`, `still holds ${entries.map((e) => e.text).join(", ")}`)];
  });
  return { holds, finalNotes };
}

/** A note sits on one lifeline; every other event is an arrow between two. */
export function isNote(event: ChartEvent): boolean {
  return event.kind === "note" || event.from === event.to;
}

/** A reply or resume is drawn dashed (UML's return message). */
export function isReturn(event: ChartEvent): boolean {
  return event.kind === "reply" || event.kind === "resume";
}

/** "State 5" or "State 5 · CPU 1": how a step is named in every rendering. */
export function stepTitle(step: ChartStep): string {
  return `State ${step.number}${step.cpu !== undefined ? ` · CPU ${step.cpu}` : ""}`;
}
