import { describe, expect, it } from "vitest";
import type { SpecMachine, SpecState } from "../../spec/index.js";
import { contextFor, initialState } from "./helpers.js";

const blockedCount = (s: SpecState) => s.threads.filter((t) => t.tag === "blocked").length;
const presentCount = (s: SpecState) => s.pageTable.flat(2).filter((p) => p.present).length;

/** Which named decisions of spec/README.md some reachable transition exercises. */
function decisionsExercised(ctx: SpecMachine): Set<string> {
  const seen = new Set<string>();
  const found = new Set<string>();
  let frontier = [initialState(ctx)];
  seen.add(ctx.encode(frontier[0]!).join());
  while (frontier.length > 0) {
    const next: SpecState[] = [];
    for (const s of frontier) {
      for (const st of ctx.successors(s)) {
        const t = st.state;
        const p = st.params;
        if ((st.action === "AssignManager" || st.action === "ClearManager") && (presentCount(s) > presentCount(t) || blockedCount(s) > blockedCount(t)))
          found.add("D1");
        if (st.action === "Unmap" && t.threads.some((x, i) => x.tag === "stopped" && x.reason === "revoked" && s.threads[i]!.tag === "blocked"))
          found.add("D2");
        if (st.action === "Dispatch" && p.outcome === "delivered") {
          const b = t.threads[p.thread as number]!;
          if (b.tag === "blocked" && b.seen.present) found.add("D3");
        }
        if (st.action === "Dispatch" && (p.reason === "self-managed" || p.reason === "wait-cycle")) found.add("D4");
        const waiting = t.threads.flatMap((x) => (x.tag === "blocked" && x.address.space === "user" ? [`${x.address.region}/${x.address.page}`] : []));
        if (new Set(waiting).size < waiting.length && st.action === "Dispatch") found.add("D5");
        if (st.action === "Unmap" && p.revoke === true && t.regionTable[0]!.some((e) => e.accepted) && presentCount(t) > 0) found.add("D6");
        if (st.action === "HandleException") found.add("D7");
        if (st.action === "Unmap" && (p.marker as number) > 0) found.add("D8");
        const key = ctx.encode(t).join();
        if (!seen.has(key)) {
          seen.add(key);
          next.push(t);
        }
      }
    }
    frontier = next;
  }
  return found;
}

describe("named decisions", () => {
  it("the default configuration exercises every one (D1-D8)", () => {
    expect([...decisionsExercised(contextFor("default"))].sort()).toEqual(["D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8"]);
  });

  it("tiny does not exercise D5 (two threads faulting on the same page), so default is larger", () => {
    expect(decisionsExercised(contextFor("tiny")).has("D5")).toBe(false);
  });
});
