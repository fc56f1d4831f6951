/**
 * Guided calls: what a well-behaved program in the caller's role would ask
 * the kernel for now, read from the system's public state, so that the
 * kernel's successful paths are reached often and not by luck. A client
 * attaches regions and moves or clears regions that have mappings; a pager
 * accepts regions by mapping, maps and unmaps in the regions it manages,
 * answers the faults it holds, unmaps its last page of a region with
 * REVOKE_AGREEMENT while a fault there waits for it, and waits in Receive
 * when a fault can wake it; an L4Re region mapper runs its decision.
 */
import type { Random } from "../../model/random.js";
import { Kernel } from "../kernel/kernel.js";
import { isUserAddress, pageInRegion, regionOf, userPageAddress } from "../kernel/layout.js";
import type { Syscall, ThreadId } from "../kernel/types.js";
import type { Rights } from "../kernel/vm.js";
import { chance, pick, range, weighted } from "./choose.js";

const rightsFor = (random: Random, access: "read" | "write"): Rights => (access === "write" || chance(random, 0.5) ? "rw" : "ro");

interface Place {
  readonly task: number;
  readonly region: number;
}

function pagers(k: Kernel): ThreadId[] {
  return range(k.config.threads.length).filter((t) => k.isPager(t));
}

/**
 * The pagers a task would hand a region to: mostly one that can act now
 * (ready or running). This kernel tells a pager of an assignment by no
 * message, so a pager asleep in Receive, or blocked on a fault of its own,
 * learns of it late or never (faults in a region it has not accepted never
 * reach it).
 */
function likelyPagers(k: Kernel, random: Random, except: ThreadId | null): ThreadId[] {
  const candidates = pagers(k).filter((p) => p !== except);
  const awake = candidates.filter((p) => ["ready", "running"].includes(k.status(p).tag));
  return awake.length > 0 && !chance(random, 0.05) ? awake : candidates;
}

function ownFrames(k: Kernel, pager: ThreadId): number[] {
  return k.config.frames.flatMap((owner, frame) => (owner === pager ? [frame] : []));
}

/** Regions whose manager is `pager` (in every task with a region table). */
function managedBy(k: Kernel, pager: ThreadId): Place[] {
  const places: Place[] = [];
  for (let task = 0; task < k.config.tasks; task++) {
    if (!k.hasRegionTable(task)) continue;
    for (let region = 0; region < k.layout.regions; region++) if (k.regionEntry(task, region).manager === pager) places.push({ task, region });
  }
  return places;
}

function presentPagesOf(k: Kernel, { task, region }: Place): number[] {
  return range(k.layout.pagesPerRegion).filter((page) => Kernel.allows(k.pte(task, userPageAddress(k.layout, region, page)), "read"));
}

/**
 * Can a fault wake `pager` from Receive? In L4 every fault of its threads
 * comes to it; with region tables only faults in a region it manages and has
 * accepted do. (This kernel tells a pager of an assignment by no message, so
 * a pager asleep with no such region sleeps for good.)
 */
function wakeable(k: Kernel, pager: ThreadId): boolean {
  if (!k.arch.syscalls.has("AssignManager")) return true;
  return managedBy(k, pager).some(({ task, region }) => k.regionEntry(task, region).accepted);
}

const asleep = (k: Kernel, thread: ThreadId | null): boolean => thread !== null && k.status(thread).tag === "receiving";

/** Threads blocked on a fault whose reply `holder` holds (and has not passed on yet). */
function faultsHeldBy(k: Kernel, holder: ThreadId): ThreadId[] {
  return range(k.config.threads.length).filter((t) => {
    const s = k.status(t);
    return s.tag === "blocked" && s.handler === holder && s.replied !== true;
  });
}

type Intent = (k: Kernel, caller: ThreadId, random: Random) => Syscall | null;

/**
 * Answer a fault the pager holds: Resume when the page is there, else Resolve
 * with its own frame (now and then Refuse). Reply-and-wait only when this is
 * the last fault it holds: waiting with answers still owed would leave their
 * threads blocked for good.
 */
const replyToFault: Intent = (k, caller, random) => {
  const held = faultsHeldBy(k, caller);
  if (held.length === 0) return null;
  const thread = pick(random, held);
  const s = k.status(thread);
  if (s.tag !== "blocked") return null;
  const has = (call: Syscall["call"]): boolean => k.arch.syscalls.has(call);
  const wait = held.length === 1 && has("Receive") && wakeable(k, caller) && chance(random, 0.5);
  const refuse: Syscall | null = has("Refuse") ? { call: "Refuse", thread, wait } : null;
  if (!isUserAddress(k.layout, s.address) || chance(random, 0.05)) return refuse;
  if (Kernel.allows(k.pte(k.taskOf(thread), s.address), s.access)) return has("Resume") ? { call: "Resume", thread, wait } : refuse;
  const frames = ownFrames(k, caller);
  if (frames.length === 0 || !has("Resolve")) return refuse;
  return { call: "Resolve", thread, frame: pick(random, frames), rights: rightsFor(random, s.access), wait };
};

/** Map the very page a held fault waits for (the next answer is then a Resume: the page is there). */
const mapFaultingPage: Intent = (k, caller, random) => {
  if (!k.arch.syscalls.has("Map")) return null;
  const frames = ownFrames(k, caller);
  const pages = faultsHeldBy(k, caller).flatMap((thread) => {
    const s = k.status(thread);
    if (s.tag !== "blocked" || !isUserAddress(k.layout, s.address)) return [];
    const task = k.taskOf(thread);
    if (!k.hasRegionTable(task) || k.regionEntry(task, regionOf(k.layout, s.address)).manager !== caller) return [];
    return [{ task, region: regionOf(k.layout, s.address), page: pageInRegion(k.layout, s.address), access: s.access }];
  });
  if (pages.length === 0 || frames.length === 0) return null;
  const { access, ...place } = pick(random, pages);
  return { call: "Map", ...place, frame: pick(random, frames), rights: rightsFor(random, access) };
};

/**
 * REVOKE_AGREEMENT while a fault waits: where the pager manages the region of
 * a fault it holds, unmap that region's last present page with the revoke
 * flag (or first map one page beside the faulting one, or unmap down to one).
 */
const revokeUnderFault: Intent = (k, caller, random) => {
  if (!k.arch.syscalls.has("Unmap")) return null;
  const candidates = faultsHeldBy(k, caller).flatMap((thread) => {
    const s = k.status(thread);
    if (s.tag !== "blocked" || !isUserAddress(k.layout, s.address)) return [];
    const place = { task: k.taskOf(thread), region: regionOf(k.layout, s.address) };
    const entry = k.hasRegionTable(place.task) ? k.regionEntry(place.task, place.region) : null;
    return entry?.manager === caller && entry.accepted ? [{ place, faultPage: pageInRegion(k.layout, s.address) }] : [];
  });
  if (candidates.length === 0) return null;
  const { place, faultPage } = pick(random, candidates);
  const present = presentPagesOf(k, place);
  const marker = random.below(k.config.markers);
  if (present.length === 0) {
    const others = range(k.layout.pagesPerRegion).filter((page) => page !== faultPage);
    const frames = ownFrames(k, caller);
    if (others.length === 0 || frames.length === 0) return null;
    return { call: "Map", ...place, page: pick(random, others), frame: pick(random, frames), rights: "ro" };
  }
  return { call: "Unmap", ...place, page: pick(random, present), marker, revoke: present.length === 1 || chance(random, 0.2) };
};

const mapManaged: Intent = (k, caller, random) => {
  if (!k.arch.syscalls.has("Map")) return null;
  const places = managedBy(k, caller);
  const frames = ownFrames(k, caller);
  if (places.length === 0 || frames.length === 0) return null;
  const place = pick(random, places);
  return { call: "Map", ...place, page: random.below(k.layout.pagesPerRegion), frame: pick(random, frames), rights: chance(random, 0.5) ? "rw" : "ro" };
};

/** Accept a region assigned to the pager by mapping into it (the design's implicit agreement). */
const acceptRegion: Intent = (k, caller, random) => {
  if (!k.arch.syscalls.has("Map")) return null;
  const waiting = managedBy(k, caller).filter(({ task, region }) => !k.regionEntry(task, region).accepted);
  const frames = ownFrames(k, caller);
  if (waiting.length === 0 || frames.length === 0) return null;
  return { call: "Map", ...pick(random, waiting), page: random.below(k.layout.pagesPerRegion), frame: pick(random, frames), rights: chance(random, 0.5) ? "rw" : "ro" };
};

const unmapManaged: Intent = (k, caller, random) => {
  if (!k.arch.syscalls.has("Unmap")) return null;
  const withPages = managedBy(k, caller).flatMap((place) => presentPagesOf(k, place).map((page) => ({ place, page })));
  if (withPages.length === 0) return null;
  const { place, page } = pick(random, withPages);
  return { call: "Unmap", ...place, page, marker: random.below(k.config.markers), revoke: chance(random, 0.3) };
};

/** Decision D1 where it matters: move or clear a region of the caller's task that has mappings. */
const reassignMapped: Intent = (k, caller, random) => {
  const task = k.taskOf(caller);
  if (!k.arch.syscalls.has("AssignManager") || !k.hasRegionTable(task) || k.isRegionMapper(caller)) return null;
  // Not from a pager asleep in Receive: the task could not tell it, and it might sleep for good (mostly).
  const mapped = range(k.layout.regions).filter(
    (region) => presentPagesOf(k, { task, region }).length > 0 && (!asleep(k, k.regionEntry(task, region).manager) || chance(random, 0.05)),
  );
  if (mapped.length === 0) return null;
  const region = pick(random, mapped);
  const manager = k.regionEntry(task, region).manager;
  const others = likelyPagers(k, random, manager);
  if (manager !== null && (others.length === 0 || chance(random, 0.3))) return { call: "ClearManager", region };
  return others.length === 0 ? null : { call: "AssignManager", region, manager: pick(random, others) };
};

/** Give a region of the caller's task without a manager to a pager (the start of every agreement). */
const attachRegion: Intent = (k, caller, random) => {
  const task = k.taskOf(caller);
  if (!k.arch.syscalls.has("AssignManager") || !k.hasRegionTable(task) || k.isRegionMapper(caller)) return null;
  const free = range(k.layout.regions).filter((region) => k.regionEntry(task, region).manager === null);
  const candidates = likelyPagers(k, random, caller);
  if (free.length === 0 || candidates.length === 0) return null;
  return { call: "AssignManager", region: pick(random, free), manager: pick(random, candidates) };
};

/**
 * A pager's idle loop: take the next fault message when one is queued; with
 * none, block in Receive now and then, when it owes no answer and a fault can
 * wake it (wakeable).
 */
const receive: Intent = (k, caller, random) => {
  if (!k.arch.syscalls.has("Receive")) return null;
  if (k.state.queues[caller]!.length > 0) return { call: "Receive" };
  return faultsHeldBy(k, caller).length === 0 && chance(random, 0.3) && wakeable(k, caller) ? { call: "Receive" } : null;
};

const PAGER_INTENTS: ReadonlyArray<readonly [number, Intent]> = [
  [10, replyToFault],
  [8, acceptRegion],
  [3, mapFaultingPage],
  [4, revokeUnderFault],
  [5, mapManaged],
  [2, unmapManaged],
  [2, reassignMapped],
  [1, attachRegion],
  [2, receive],
];

const CLIENT_INTENTS: ReadonlyArray<readonly [number, Intent]> = [
  [6, reassignMapped],
  [4, attachRegion],
];

/** How often a thread gives up its CPU on its own (threads whose accesses all hit would otherwise keep it). */
const YIELD = 0.03;

/**
 * L4Re's region mapper: its decision on a fault it holds (the zero level on
 * its table, the architecture's own), the real pager's answer passed on, or
 * Receive when it holds none.
 */
function regionMapperCall(k: Kernel, rm: ThreadId, random: Random): Syscall {
  const held = range(k.config.threads.length).filter((t) => {
    const s = k.status(t);
    return s.tag === "blocked" && s.handler === rm;
  });
  if (held.length === 0) return { call: "Receive" };
  const thread = pick(random, held);
  const s = k.status(thread);
  if (s.tag === "blocked" && s.replied === true) return { call: "Resume", thread, wait: true };
  return k.arch.regionMapperDecision?.(k, rm, thread) ?? { call: "Receive" };
}

/**
 * The guided call of `caller`: the first applicable intent, tried in a random
 * order drawn by weight; null when none applies (the thread then does
 * something other than call the kernel).
 */
export function guidedCall(k: Kernel, caller: ThreadId, random: Random): Syscall | null {
  if (k.isRegionMapper(caller)) return regionMapperCall(k, caller, random);
  if (chance(random, YIELD)) return { call: "Yield" };
  const intents = [...(k.isPager(caller) ? PAGER_INTENTS : CLIENT_INTENTS)];
  while (intents.length > 0) {
    const intent = weighted(random, intents.map(([weight], i) => [weight, i] as const));
    const call = intents[intent]![1](k, caller, random);
    if (call !== null) return call;
    intents.splice(intent, 1);
  }
  return null;
}
