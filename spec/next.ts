/**
 * The next-state relation: every enabled (action, params) pair from a state,
 * in a fixed order (action, then parameters ascending), so that traces and
 * counts are stable from run to run.
 */
import type { ActionParams, Step } from "../model/machine.js";
import * as A from "./actions.js";
import { type SpecContext, range } from "./context.js";
import { ACCESS_KINDS, type Address, RIGHTS, type SpecState } from "./state.js";

export const ACTION_NAMES = [
  "AssignManager",
  "ClearManager",
  "Map",
  "Unmap",
  "Access",
  "Dispatch",
  "Resolve",
  "Resume",
  "Refuse",
  "HandleException",
] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

type Emit = (action: ActionName, params: ActionParams, state: SpecState | null) => void;

export function* successors(ctx: SpecContext, s: SpecState): Generator<Step<SpecState>> {
  const out: Step<SpecState>[] = [];
  const emit: Emit = (action, params, state) => {
    if (state !== null) out.push({ action, params, state });
  };
  const { config } = ctx;
  const threads = range(ctx.threadCount);
  const regions = range(config.regionsPerTask);
  const pages = range(config.pagesPerRegion);
  const markers = range(config.markers);

  for (const thread of threads)
    for (const region of regions)
      for (const manager of ctx.pagers)
        emit("AssignManager", { thread, region, manager }, A.assignManager(ctx, s, { thread, region, manager }));

  for (const thread of threads)
    for (const region of regions) emit("ClearManager", { thread, region }, A.clearManager(ctx, s, { thread, region }));

  const mappers = ctx.mutant === "task-maps-own-region" ? threads : ctx.pagers;
  for (const manager of mappers)
    for (const task of range(config.tasks))
      for (const region of regions)
        for (const page of pages)
          for (const frame of range(config.frames.length))
            for (const rights of RIGHTS) {
              const p = { manager, task, region, page, frame, rights };
              emit("Map", p, A.map(ctx, s, p));
            }

  for (const manager of ctx.pagers)
    for (const task of range(config.tasks))
      for (const region of regions)
        for (const page of pages)
          for (const marker of markers)
            for (const revoke of [false, true]) {
              const p = { manager, task, region, page, marker, revoke };
              emit("Unmap", p, A.unmap(ctx, s, p));
            }

  const addresses: Address[] = [
    ...regions.flatMap((region) => pages.map((page): Address => ({ space: "user", region, page }))),
    ...range(config.kernelAddresses).map((index): Address => ({ space: "kernel", index })),
  ];
  for (const thread of threads)
    for (const address of addresses)
      for (const access of ACCESS_KINDS) {
        const r = A.access(ctx, s, { thread, address, access });
        if (r === null) continue;
        const where: ActionParams =
          address.space === "user"
            ? { space: "user", region: address.region, page: address.page }
            : { space: "kernel", kernelAddress: address.index };
        emit("Access", { thread, ...where, access, result: r.hit ? "hit" : "trap" }, r.state);
      }

  for (const thread of threads) {
    const r = A.dispatch(ctx, s, { thread });
    if (r === null) continue;
    const o = r.outcome;
    const detail: ActionParams = o.kind === "general-protection" ? { reason: o.reason } : o.kind === "delivered" ? { pager: o.pager } : {};
    emit("Dispatch", { thread, outcome: o.kind, ...detail }, r.state);
  }

  for (const pager of ctx.pagers)
    for (const thread of s.pending[pager]!)
      for (const frame of ctx.framesOf[pager]!)
        for (const rights of RIGHTS) {
          const p = { pager, thread, frame, rights };
          emit("Resolve", p, A.resolve(ctx, s, p));
        }

  for (const pager of ctx.pagers)
    for (const thread of s.pending[pager]!) emit("Resume", { pager, thread }, A.resume(ctx, s, { pager, thread }));

  for (const pager of ctx.pagers)
    for (const thread of s.pending[pager]!) emit("Refuse", { pager, thread }, A.refuse(ctx, s, { pager, thread }));

  for (const thread of threads) emit("HandleException", { thread }, A.handleException(ctx, s, { thread }));

  yield* out;
}

/** The initial state: no region has a manager, every page is not present with marker 0, every thread runs. */
export function initialState(ctx: SpecContext): SpecState {
  const { config } = ctx;
  return {
    regionTable: range(config.tasks).map(() => range(config.regionsPerTask).map(() => ({ manager: null, accepted: false }))),
    pageTable: range(config.tasks).map(() =>
      range(config.regionsPerTask).map(() => range(config.pagesPerRegion).map(() => ({ present: false, marker: 0 }) as const)),
    ),
    threads: range(ctx.threadCount).map(() => ({ tag: "running" }) as const),
    pending: range(ctx.threadCount).map(() => []),
  };
}
