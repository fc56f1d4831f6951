/**
 * Where a fuzzed thread's memory accesses go: the user program's part of a
 * run, which makes the faults the kernel's interesting paths answer.
 */
import type { Random } from "../../model/random.js";
import { WORD_SIZE } from "../hw/bits.js";
import { Kernel } from "../kernel/kernel.js";
import { isUserAddress, kernelAddresses, userPageAddress } from "../kernel/layout.js";
import type { ThreadId } from "../kernel/types.js";

export const anyPage = (k: Kernel, random: Random): number => userPageAddress(k.layout, random.below(k.layout.regions), random.below(k.layout.pagesPerRegion));

/**
 * A linear address for `thread` to touch. Mostly a page of a region of its
 * task whose manager accepted it: one not there (a pure page fault the
 * manager answers) or one there (a hit); often a page another thread of the
 * task waits for (the paper's Fig. 3 race: the second fault finds the page
 * there, or waits too). Now and then any page of any region (no manager, not
 * accepted), a page past a region's pages, or the kernel part: the
 * general-protection faults. Null, half the time, when its task has no
 * accepted region (the thread then has better things to do than fault again).
 */
export function accessTarget(k: Kernel, thread: ThreadId, random: Random): number | null {
  const { layout } = k;
  const task = k.taskOf(thread);
  // In 40: 1 the kernel part, 1 past a region's pages, 2 any page, 10 a page another thread waits for, the rest the task's regions.
  const roll = random.below(40);
  if (roll === 0) {
    const addresses = kernelAddresses(layout, k.config.kernelAddresses);
    return addresses[random.below(addresses.length)]!;
  }
  if (roll === 1 && layout.pagesPerRegion < 1024) return userPageAddress(layout, random.below(layout.regions), layout.pagesPerRegion);
  if (roll < 4) return anyPage(k, random);
  if (roll < 14) {
    const waitedFor: number[] = [];
    k.state.threads.forEach((s, t) => {
      if (s.tag === "blocked" && t !== thread && k.taskOf(t) === task && isUserAddress(layout, s.address)) waitedFor.push(s.address);
    });
    if (waitedFor.length > 0) return waitedFor[random.below(waitedFor.length)]! & ~(WORD_SIZE - 1);
  }
  if (!k.hasRegionTable(task)) return anyPage(k, random);
  const absent: number[] = [];
  const present: number[] = [];
  const unaccepted: number[] = [];
  for (let region = 0; region < layout.regions; region++) {
    const entry = k.regionEntry(task, region);
    if (entry.manager === null) continue;
    for (let page = 0; page < layout.pagesPerRegion; page++) {
      const linear = userPageAddress(layout, region, page);
      if (!entry.accepted) unaccepted.push(linear);
      else (Kernel.allows(k.pte(task, linear), "read") ? present : absent).push(linear);
    }
  }
  const from = (pool: readonly number[]): number => pool[random.below(pool.length)]!;
  if (absent.length + present.length > 0 && (unaccepted.length === 0 || random.below(10) > 0)) {
    return from(absent.length > 0 && (present.length === 0 || random.below(3) < 2) ? absent : present);
  }
  // A region its manager has not accepted (yet): a general-protection fault for the design, the first fault for the monolithic module.
  return unaccepted.length > 0 && random.below(2) === 0 ? from(unaccepted) : null;
}
