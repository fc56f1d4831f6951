import { buildSpec, namedConfigs, type SpecConfig, type SpecMachine, type SpecState } from "../../spec/index.js";

export const configNamed = (name: string): SpecConfig => namedConfigs.find((c) => c.name === name)!.config;

/** The spec's machine on a named configuration (with a seeded bug, or the design). */
export function contextFor(name: string, mutant?: string): SpecMachine {
  return buildSpec(configNamed(name), mutant);
}

export const initialState = (m: SpecMachine): SpecState => [...m.initialStates()][0]!;

/** Fire the enabled step whose action and params match `want` (a subset of params); fails if none. */
export function step(m: SpecMachine, s: SpecState, action: string, want: Record<string, unknown> = {}): SpecState {
  for (const st of m.successors(s)) {
    if (st.action !== action) continue;
    if (Object.entries(want).every(([k, v]) => st.params[k] === v)) return st.state;
  }
  throw new Error(`${action} ${JSON.stringify(want)} is not enabled`);
}

export function enabled(m: SpecMachine, s: SpecState, action: string, want: Record<string, unknown> = {}): boolean {
  for (const st of m.successors(s)) if (st.action === action && Object.entries(want).every(([k, v]) => st.params[k] === v)) return true;
  return false;
}
