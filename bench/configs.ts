/**
 * The bench's configurations, smallest first: two named ones of spec/ and
 * larger ones in the same family (more consumer threads, more pagers), up to
 * where Spin (breadth-first, no partial-order reduction) needs about two
 * minutes on this machine.
 */
import { namedConfigs, type SpecConfig } from "../spec/index.js";

export interface BenchConfig {
  readonly name: string;
  readonly config: SpecConfig;
}

const named = (name: string): BenchConfig => {
  const found = namedConfigs.find((c) => c.name === name);
  if (found === undefined) throw new Error(`bench: spec/ has no configuration named ${name}`);
  return { name, config: found.config };
};

/** One task: `pagers` pagers with a frame each, `consumers` other threads, one region per pager of `pages` pages. */
function family(pagers: number, consumers: number, pages: number, markers: number): BenchConfig {
  return {
    name: `${pagers}p-${consumers}c-${pages}pg-${markers}m`,
    config: {
      tasks: 1,
      threads: [...Array.from({ length: pagers }, () => ({ task: 0, pager: true })), ...Array.from({ length: consumers }, () => ({ task: 0 }))],
      frames: Array.from({ length: pagers }, (_, p) => p),
      regionsPerTask: pagers,
      pagesPerRegion: pages,
      kernelAddresses: 1,
      markers,
    },
  };
}

export const BENCH_CONFIGS: readonly BenchConfig[] = [
  named("default"),
  named("three-consumers"),
  family(2, 2, 1, 1),
  family(1, 4, 2, 1),
  family(2, 2, 1, 2),
  family(1, 4, 2, 2),
];
