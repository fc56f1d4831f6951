/**
 * The system each architecture is fuzzed on: three tasks (clients only,
 * pagers only, and one running a client beside its own pager), three regions
 * of six pages, two CPUs, three pagers owning seven frames. L4 gives each
 * thread its own pager (one pager-less, to reach its general-protection
 * path); L4Re gives two of the tasks a region mapper and leaves the third
 * without one (its region calls are NotSupported, its faults
 * general-protection faults).
 */
import type { ArchName } from "../arch/index.js";
import { validateKernelConfig, type KernelConfig, type KernelThreadConfig } from "../kernel/config.js";
import { smallLayout } from "../kernel/layout.js";

const THREADS: readonly KernelThreadConfig[] = [
  { task: 0 },
  { task: 0 },
  { task: 1, pager: true },
  { task: 1, pager: true },
  { task: 2 },
  { task: 2, pager: true },
];
/** frames[f] is owned by that pager thread. */
const FRAMES = [2, 2, 2, 3, 3, 5, 5];
/** L4: each thread's one pager (thread 3's is nobody). */
const PAGER_OF = [2, 3, 3, null, 5, 2];

export const FUZZ_REGIONS = 3;
export const FUZZ_PAGES = 6;

export function fuzzSystem(arch: ArchName): KernelConfig {
  const base: KernelConfig = {
    layout: smallLayout(FUZZ_REGIONS, FUZZ_PAGES),
    cpus: 2,
    tasks: 3,
    threads: THREADS,
    frames: FRAMES,
    kernelAddresses: 3,
    markers: 4,
  };
  if (arch === "l4") return validateKernelConfig({ ...base, pagerOf: PAGER_OF });
  if (arch === "l4re" || arch === "l4re-via-rm") {
    // Region mappers are threads of their own, appended: thread 6 runs in task 0, thread 7 in task 1; task 2 has none.
    return validateKernelConfig({ ...base, threads: [...THREADS, { task: 0 }, { task: 1 }], regionMapperOf: [6, 7, null] });
  }
  return validateKernelConfig(base);
}
