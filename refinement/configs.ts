/**
 * Named configurations for the refinement check: a spec configuration (the
 * abstract machine's) plus the number of CPUs of the concrete machine. Each
 * is derived from one of spec/'s named configurations, cut down so that the
 * concrete kernel (memory, TLBs, run queue, CPUs) stays exhaustively
 * explorable. The default exercises two CPUs sharing an address space.
 */
import { InputError } from "../model/input-error.js";
import { namedConfigs, type SpecConfig } from "../spec/index.js";

export interface RefinementConfig {
  readonly name: string;
  readonly description: string;
  /** The spec configuration it is derived from. */
  readonly from: string;
  readonly spec: SpecConfig;
  readonly cpus: number;
}

export const DEFAULT_REFINEMENT_CONFIG = "micro-2cpu";

const specNamed = (name: string): SpecConfig => {
  const found = namedConfigs.find((c) => c.name === name);
  if (found === undefined) throw new Error(`spec configuration ${name} is missing`);
  return found.config;
};

const derive = (name: string, from: string, description: string, cpus: number, change: Partial<SpecConfig>): RefinementConfig => ({
  name,
  description,
  from,
  cpus,
  spec: { ...specNamed(from), ...change },
});

export const refinementConfigs: readonly RefinementConfig[] = [
  derive("micro", "tiny", "tiny cut to one page and no kernel address: a pager and a consumer in one task", 1, {
    pagesPerRegion: 1,
    kernelAddresses: 0,
  }),
  derive("micro-2cpu", "tiny", "micro on two CPUs: both threads can run at once in one address space (TLB shootdown)", 2, {
    pagesPerRegion: 1,
    kernelAddresses: 0,
  }),
  derive("markers", "tiny", "micro with one kernel-space address and two markers (general-protection faults, the marker)", 1, {
    pagesPerRegion: 1,
    markers: 2,
  }),
  derive("two-regions", "two-pagers", "two-pagers with one pager: a consumer and two regions of one page", 1, {
    threads: [{ task: 0, pager: true }, { task: 0 }],
    frames: [0],
  }),
  derive("two-managers", "two-pagers", "two-pagers without the consumer: two pagers, two regions of one page, a frame each", 1, {
    threads: [{ task: 0, pager: true }, { task: 0, pager: true }],
  }),
  derive("two-pagers", "two-pagers", "two pagers and a consumer, two regions of one page, a frame per pager", 1, {}),
  derive("two-tasks", "two-tasks", "a pager task and a client task, one region of one page, one frame", 1, {
    threads: [{ task: 0, pager: true }, { task: 1 }],
    frames: [0],
    regionsPerTask: 1,
    kernelAddresses: 0,
    markers: 1,
  }),
  derive("two-clients", "default", "a pager and two clients (Fig. 3's threads A and B) on one page and one CPU: two faults queued at one pager", 1, {
    pagesPerRegion: 1,
    kernelAddresses: 0,
    markers: 1,
  }),
  derive("fig3", "default", "Fig. 3: a pager and threads A and B on one page (a page restored between fault and dispatch)", 2, {
    pagesPerRegion: 1,
    kernelAddresses: 0,
    markers: 1,
  }),
];

export function refinementConfigNamed(name: string): RefinementConfig {
  const found = refinementConfigs.find((c) => c.name === name);
  if (found === undefined) {
    throw new InputError(`unknown refinement configuration "${name}" (known: ${refinementConfigs.map((c) => c.name).join(", ")})`, "usage");
  }
  return found;
}
