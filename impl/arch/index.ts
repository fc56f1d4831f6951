/** The architectures of Table I, all on the same hardware and kernel core. */
import { InputError } from "../../model/input-error.js";
import type { Architecture } from "../kernel/architecture.js";
import { l4 } from "./l4.js";
import { l4re, l4reViaRegionMapper } from "./l4re.js";
import { monolithic } from "./monolithic.js";
import { proposed } from "./proposed.js";

/** The registry, in Table I's row order: adding an architecture is its file and one line here. */
export const architectures = {
  monolithic,
  proposed,
  l4,
  l4re,
  "l4re-via-rm": l4reViaRegionMapper,
} as const satisfies Readonly<Record<string, Architecture>>;

export type ArchName = keyof typeof architectures;

export const ARCH_NAMES = Object.keys(architectures) as ArchName[];

export function architectureNamed(name: string): Architecture {
  const arch = (architectures as Record<string, Architecture | undefined>)[name];
  if (arch === undefined) throw new InputError(`unknown architecture "${name}" (known: ${ARCH_NAMES.join(", ")})`, "usage");
  return arch;
}

/** `name` as a registered architecture's name, or the same one-line usage error. */
export function archNameOf(name: string): ArchName {
  return architectureNamed(name).name as ArchName;
}
