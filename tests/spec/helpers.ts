import { makeContext, type SpecContext } from "../../spec/context.js";
import { namedConfigs, type SpecConfig } from "../../spec/index.js";
import type { MutantName } from "../../spec/mutants.js";
import { initialState, successors } from "../../spec/next.js";
import type { SpecState } from "../../spec/state.js";

export const configNamed = (name: string): SpecConfig => namedConfigs.find((c) => c.name === name)!.config;

export function contextFor(name: string, mutant: MutantName | null = null): SpecContext {
  return makeContext(configNamed(name), mutant);
}

/** Fire the enabled step whose action and params match `want` (a subset of params); fails if none. */
export function step(ctx: SpecContext, s: SpecState, action: string, want: Record<string, unknown> = {}): SpecState {
  for (const st of successors(ctx, s)) {
    if (st.action !== action) continue;
    if (Object.entries(want).every(([k, v]) => st.params[k] === v)) return st.state;
  }
  throw new Error(`${action} ${JSON.stringify(want)} is not enabled`);
}

export function enabled(ctx: SpecContext, s: SpecState, action: string, want: Record<string, unknown> = {}): boolean {
  for (const st of successors(ctx, s))
    if (st.action === action && Object.entries(want).every(([k, v]) => st.params[k] === v)) return true;
  return false;
}

export { initialState };
