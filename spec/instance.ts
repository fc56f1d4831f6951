/** A configuration (config-schema.ts) as an instance of the language: the sizes of the sorts and the rigid facts. */
import type { Instance } from "../model/lang/spec.js";
import type { SpecConfig } from "./config-schema.js";

export function instanceOf(config: SpecConfig): Instance {
  const pagers = config.threads.flatMap((t, i) => (t.pager === true ? [i] : []));
  return {
    sizes: {
      Thread: config.threads.length,
      Task: config.tasks,
      Region: config.regionsPerTask,
      Page: config.pagesPerRegion,
      Frame: config.frames.length,
      Marker: config.markers,
      KernelAddress: config.kernelAddresses,
    },
    members: { Pager: pagers },
    rigids: {
      taskOf: (t) => config.threads[t]!.task,
      ownerOf: (f) => config.frames[f]!,
      l4Pager: () => pagers[0] ?? null,
    },
  };
}
