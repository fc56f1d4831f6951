/**
 * The state as readable trace variables (ITF-compatible values): nested lists
 * indexed by task, region and page; tagged records for page-table entries and
 * thread statuses; an ITF {"#map"} of {"#set"}s for the pagers' queues.
 */
import type { TraceValue } from "../model/machine.js";
import type { SpecContext } from "./context.js";
import type { Address, Page, SpecState, ThreadStatus } from "./state.js";

export const SPEC_VARIABLES = ["regionTable", "pageTable", "threads", "pending"] as const;

const addressView = (a: Address): TraceValue =>
  a.space === "user" ? { space: "user", region: a.region, page: a.page } : { space: "kernel", index: a.index };

const pageView = (p: Page): TraceValue =>
  p.present
    ? { present: true, frame: p.frame, rights: p.rights, mapper: p.mapper }
    : { present: false, marker: p.marker };

const statusView = (st: ThreadStatus): TraceValue => {
  switch (st.tag) {
    case "running":
      return { status: "running" };
    case "trapped":
      return { status: "trapped", address: addressView(st.address), access: st.access };
    case "blocked":
      return {
        status: "blocked",
        address: addressView(st.address),
        access: st.access,
        pager: st.pager,
        seen: st.seen.present ? { present: true, rights: st.seen.rights } : { present: false, marker: st.seen.marker },
      };
    case "stopped":
      return { status: "stopped", reason: st.reason };
  }
};

export function view(ctx: SpecContext, s: SpecState): Readonly<Record<string, TraceValue>> {
  return {
    regionTable: s.regionTable.map((regions) =>
      // One encoding on both sides of a refinement trace (impl/machine.ts too): no "none" beside integers.
      regions.map((e): TraceValue => (e.manager === null ? { assigned: false, accepted: e.accepted } : { assigned: true, manager: e.manager, accepted: e.accepted })),
    ),
    pageTable: s.pageTable.map((regions) => regions.map((pages) => pages.map(pageView))),
    threads: s.threads.map(statusView),
    pending: { "#map": ctx.pagers.map((p) => [p, { "#set": [...s.pending[p]!] }]) },
  };
}
