/**
 * Named finite configurations, smallest first. `default` is the smallest that
 * exercises every action and every named decision of spec/README.md.
 */
import type { SpecConfig } from "./config-schema.js";

export interface NamedConfig {
  readonly name: string;
  readonly description: string;
  readonly config: SpecConfig;
}

export const DEFAULT_CONFIG = "default";

export const namedConfigs: ReadonlyArray<NamedConfig> = [
  {
    name: "tiny",
    description: "one task: a pager and a consumer thread, one region of two pages, one frame, one kernel-space address",
    config: {
      tasks: 1,
      threads: [{ task: 0, pager: true }, { task: 0 }],
      frames: [0],
      regionsPerTask: 1,
      pagesPerRegion: 2,
      kernelAddresses: 1,
      markers: 1,
    },
  },
  {
    name: "two-pagers",
    description: "one task: two pagers and a consumer, two regions of one page, a frame per pager",
    config: {
      tasks: 1,
      threads: [{ task: 0, pager: true }, { task: 0, pager: true }, { task: 0 }],
      frames: [0, 1],
      regionsPerTask: 2,
      pagesPerRegion: 1,
      kernelAddresses: 0,
      markers: 1,
    },
  },
  {
    name: "default",
    description: "one task: a pager and two consumers (Fig. 3's threads A and B), one region of two pages, one frame, one kernel-space address, two markers",
    config: {
      tasks: 1,
      threads: [{ task: 0, pager: true }, { task: 0 }, { task: 0 }],
      frames: [0],
      regionsPerTask: 1,
      pagesPerRegion: 2,
      kernelAddresses: 1,
      markers: 2,
    },
  },
  {
    name: "two-tasks",
    description: "a pager task and a client task: one pager, one client thread, one region of two pages, one frame, one kernel-space address, two markers",
    config: {
      tasks: 2,
      threads: [{ task: 0, pager: true }, { task: 1 }],
      frames: [0],
      regionsPerTask: 1,
      pagesPerRegion: 2,
      kernelAddresses: 1,
      markers: 2,
    },
  },
  {
    name: "two-tasks-two-clients",
    description: "a pager task and a client task with two threads; one region of two pages, one frame, one kernel-space address",
    config: {
      tasks: 2,
      threads: [{ task: 0, pager: true }, { task: 1 }, { task: 1 }],
      frames: [0],
      regionsPerTask: 1,
      pagesPerRegion: 2,
      kernelAddresses: 1,
      markers: 1,
    },
  },
  {
    name: "three-consumers",
    description: "one task: a pager and three consumers, one region of two pages, one frame, one kernel-space address",
    config: {
      tasks: 1,
      threads: [{ task: 0, pager: true }, { task: 0 }, { task: 0 }, { task: 0 }],
      frames: [0],
      regionsPerTask: 1,
      pagesPerRegion: 2,
      kernelAddresses: 1,
      markers: 1,
    },
  },
  {
    name: "three-pages",
    description: "default with three pages in the region",
    config: {
      tasks: 1,
      threads: [{ task: 0, pager: true }, { task: 0 }, { task: 0 }],
      frames: [0],
      regionsPerTask: 1,
      pagesPerRegion: 3,
      kernelAddresses: 1,
      markers: 2,
    },
  },
  {
    name: "large",
    description: "one task: a pager and three consumers, one region of three pages, one frame, one kernel-space address (about three minutes)",
    config: {
      tasks: 1,
      threads: [{ task: 0, pager: true }, { task: 0 }, { task: 0 }, { task: 0 }],
      frames: [0],
      regionsPerTask: 1,
      pagesPerRegion: 3,
      kernelAddresses: 1,
      markers: 1,
    },
  },
];
