/**
 * The concrete kernel state: simulated physical memory (page directories,
 * page tables, region tables, frames), the CPUs (registers, privilege level,
 * TLB), and the kernel objects (thread control blocks, message queues, the
 * run queue). Its canonical encoding is what the model checker stores.
 *
 * Not state: the CPUs' mode/context-switch counters and CR2 (measurement,
 * and a register the zero level consumes at dispatch). Which messages a
 * thread holds (received, not yet answered) is state: the `received` flag of
 * the thread blocked on it.
 */
import { Cpu, KERNEL_CR0 } from "../hw/cpu.js";
import { PhysicalMemory } from "../hw/memory.js";
import { Tlb } from "../hw/tlb.js";
import { STOP_REASONS, type AccessKind, type Message, type ThreadId, type ThreadStatus } from "./types.js";

export interface KernelState {
  readonly memory: PhysicalMemory;
  readonly cpus: Cpu[];
  /** threads[t]: thread t's status. */
  readonly threads: ThreadStatus[];
  /** queues[t]: messages waiting for thread t, oldest first. */
  readonly queues: Message[][];
  /** The run queue, head first. */
  readonly ready: ThreadId[];
}

export function cloneState(s: KernelState): KernelState {
  const memory = s.memory.clone();
  return {
    memory,
    cpus: s.cpus.map((cpu) => cpu.clone(memory)),
    threads: [...s.threads],
    queues: s.queues.map((q) => [...q]),
    ready: [...s.ready],
  };
}

// --- canonical encoding --------------------------------------------------------

const ACCESS: readonly AccessKind[] = ["read", "write"];
const NO_THREAD = 0xffff_ffff;

class Writer {
  private readonly parts: number[] = [];
  private readonly blobs: Uint8Array[] = [];
  u32(value: number): this {
    this.parts.push(value >>> 0);
    return this;
  }
  bytes(data: Uint8Array): this {
    this.u32(data.length);
    this.blobs.push(data);
    this.parts.push(-this.blobs.length); // placeholder: blob index
    return this;
  }
  finish(): Uint8Array {
    let size = 0;
    for (const p of this.parts) size += p < 0 ? this.blobs[-p - 1]!.length : 4;
    const out = new Uint8Array(size);
    const view = new DataView(out.buffer);
    let offset = 0;
    for (const p of this.parts) {
      if (p < 0) {
        const blob = this.blobs[-p - 1]!;
        out.set(blob, offset);
        offset += blob.length;
      } else {
        view.setUint32(offset, p, true);
        offset += 4;
      }
    }
    return out;
  }
}

class Reader {
  private offset = 0;
  private readonly view: DataView;
  constructor(private readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }
  u32(): number {
    const value = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return value;
  }
  bytes(): Uint8Array {
    const length = this.u32();
    const slice = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }
  done(): boolean {
    return this.offset === this.data.length;
  }
}

const REPLIED = 1;
const RECEIVED = 2;
const blockedFlags = (s: { readonly replied?: true; readonly received?: true }): number =>
  (s.replied === true ? REPLIED : 0) | (s.received === true ? RECEIVED : 0);

// The encoders below run for every state the checker stores: plain switches (exhaustive by `never`) rather than ts-pattern's matcher objects.

function writeStatus(w: Writer, s: ThreadStatus): void {
  switch (s.tag) {
    case "ready":
      w.u32(0);
      return;
    case "running":
      w.u32(1).u32(s.cpu);
      return;
    case "receiving":
      w.u32(2);
      return;
    case "trapped":
      w.u32(3).u32(s.cpu).u32(s.address).u32(s.errorCode).u32(ACCESS.indexOf(s.access));
      return;
    case "blocked":
      w.u32(4).u32(s.address).u32(ACCESS.indexOf(s.access)).u32(s.handler).u32(s.seen).u32(blockedFlags(s));
      return;
    case "stopped":
      w.u32(5).u32(STOP_REASONS.indexOf(s.reason));
      return;
    default:
      s satisfies never;
  }
}

function readStatus(r: Reader): ThreadStatus {
  const tag = r.u32();
  switch (tag) {
    case 0:
      return { tag: "ready" };
    case 1:
      return { tag: "running", cpu: r.u32() };
    case 2:
      return { tag: "receiving" };
    case 3:
      return { tag: "trapped", cpu: r.u32(), address: r.u32(), errorCode: r.u32(), access: ACCESS[r.u32()]! };
    case 4: {
      const blocked = { tag: "blocked", address: r.u32(), access: ACCESS[r.u32()]!, handler: r.u32(), seen: r.u32() } as const;
      const flags = r.u32();
      if ((flags & ~(REPLIED | RECEIVED)) !== 0) throw new RangeError(`encoded blocked status has unknown flags ${flags}`);
      return { ...blocked, ...((flags & REPLIED) !== 0 ? { replied: true } : {}), ...((flags & RECEIVED) !== 0 ? { received: true } : {}) };
    }
    case 5:
      return { tag: "stopped", reason: STOP_REASONS[r.u32()]! };
    default:
      throw new RangeError(`encoded thread status has unknown tag ${tag}`);
  }
}

function writeMessage(w: Writer, m: Message): void {
  switch (m.kind) {
    case "fault":
      w.u32(0).u32(m.thread).u32(m.address).u32(ACCESS.indexOf(m.access)).u32(m.marker).u32(m.present ? 1 : 0);
      return;
    case "resolved":
      w.u32(1).u32(m.thread);
      return;
    default:
      m satisfies never;
  }
}

function readMessage(r: Reader): Message {
  const kind = r.u32();
  if (kind === 0) return { kind: "fault", thread: r.u32(), address: r.u32(), access: ACCESS[r.u32()]!, marker: r.u32(), present: r.u32() === 1 };
  if (kind === 1) return { kind: "resolved", thread: r.u32() };
  throw new RangeError(`encoded message has unknown kind ${kind}`);
}

export function encodeState(s: KernelState): Uint8Array {
  const w = new Writer();
  w.bytes(s.memory.encode());
  w.u32(s.cpus.length);
  for (const cpu of s.cpus) {
    w.u32(cpu.cr3).u32(cpu.cpl).u32(cpu.currentThread ?? NO_THREAD).bytes(cpu.tlb.encode());
  }
  w.u32(s.threads.length);
  s.threads.forEach((status, t) => {
    writeStatus(w, status);
    const queue = s.queues[t]!;
    w.u32(queue.length);
    for (const m of queue) writeMessage(w, m);
  });
  w.u32(s.ready.length);
  for (const t of s.ready) w.u32(t);
  return w.finish();
}

export function decodeState(bytes: Uint8Array): KernelState {
  const r = new Reader(bytes);
  const memory = PhysicalMemory.decode(r.bytes());
  const cpuCount = r.u32();
  const cpus: Cpu[] = [];
  for (let id = 0; id < cpuCount; id++) {
    const cr3 = r.u32();
    const cpl = r.u32() as 0 | 3;
    const current = r.u32();
    const tlb = Tlb.decode(r.bytes());
    cpus.push(
      Cpu.fromState(
        { id, cr0: KERNEL_CR0, cr2: 0, cr3, cr4: 0, cpl, currentThread: current === NO_THREAD ? null : current, modeSwitches: 0, contextSwitches: 0, tlb: tlb.entries() },
        memory,
      ),
    );
  }
  const threadCount = r.u32();
  const threads: ThreadStatus[] = [];
  const queues: Message[][] = [];
  for (let t = 0; t < threadCount; t++) {
    threads.push(readStatus(r));
    const length = r.u32();
    const queue: Message[] = [];
    for (let i = 0; i < length; i++) queue.push(readMessage(r));
    queues.push(queue);
  }
  const readyLength = r.u32();
  const ready: ThreadId[] = [];
  for (let i = 0; i < readyLength; i++) ready.push(r.u32());
  if (!r.done()) throw new RangeError("encoded kernel state has trailing bytes");
  return { memory, cpus, threads, queues, ready };
}
