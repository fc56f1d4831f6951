/**
 * Which properties a run checks: some of a machine's invariants and temporal
 * properties, chosen by name (`check --inv NAME`, `--no-inv NAME`,
 * `--temporal NAME`, `--no-temporal NAME`; TLC's INVARIANT and PROPERTY,
 * Apalache's and Quint's --inv / --temporal).
 *
 * The restricted machine is the same machine with fewer properties. The
 * machine's fast path `brokenInvariant` still answers first, over all its
 * invariants: when it says none is broken, none of the chosen ones is; when
 * it names one, the chosen invariants decide on the decoded state (the rare
 * case), so a restriction costs nothing on the states that keep every
 * invariant.
 */
import { InputError } from "./input-error.js";
import type { Invariant, StateMachine } from "./machine.js";

export interface PropertySelection {
  /** Invariants to check (undefined: all of them), then those to leave out. */
  readonly invariants?: readonly string[];
  readonly withoutInvariants?: readonly string[];
  /** Temporal properties to check (undefined: all of them), then those to leave out. */
  readonly temporal?: readonly string[];
  readonly withoutTemporal?: readonly string[];
}

/** True when the selection changes nothing. */
export function selectsAll(selection: PropertySelection): boolean {
  return (
    selection.invariants === undefined &&
    selection.temporal === undefined &&
    (selection.withoutInvariants ?? []).length === 0 &&
    (selection.withoutTemporal ?? []).length === 0
  );
}

/**
 * The names kept from `known`: `chosen` (or all), minus `left out`. An unknown
 * name is a usage error that lists the known ones.
 */
export function chooseNames(kind: string, option: string, known: readonly string[], chosen: readonly string[] | undefined, leftOut: readonly string[] = []): Set<string> {
  for (const [flag, names] of [[option, chosen ?? []], [`no-${option}`, leftOut]] as const) {
    for (const name of names) {
      if (!known.includes(name)) {
        const list = known.length === 0 ? "the machine has none" : `known: ${known.join(", ")}`;
        throw new InputError(`unknown ${kind} "${name}" for --${flag} (${list})`, "usage");
      }
    }
  }
  const kept = new Set(chosen ?? known);
  for (const name of leftOut) kept.delete(name);
  return kept;
}

function firstBroken<S>(invariants: readonly Invariant<S>[], state: S): number {
  for (let i = 0; i < invariants.length; i++) if (!invariants[i]!.holds(state)) return i;
  return -1;
}

/** The machine with only the selected invariants and temporal properties (the machine itself when all are kept). */
export function selectProperties<S>(machine: StateMachine<S>, selection: PropertySelection): StateMachine<S> {
  if (selectsAll(selection)) return machine;
  const invariantNames = chooseNames("invariant", "inv", machine.invariants.map((i) => i.name), selection.invariants, selection.withoutInvariants);
  const temporal = machine.temporalProperties ?? [];
  const temporalNames = chooseNames("temporal property", "temporal", temporal.map((p) => p.name), selection.temporal, selection.withoutTemporal);
  const invariants = machine.invariants.filter((invariant) => invariantNames.has(invariant.name));
  const fast = machine.brokenInvariant;
  const overrides: PropertyDescriptorMap = {
    invariants: { value: invariants, enumerable: true },
    temporalProperties: { value: temporal.filter((property) => temporalNames.has(property.name)), enumerable: true },
  };
  if (fast !== undefined) {
    const brokenInvariant = (bytes: Uint8Array): number => (fast(bytes) < 0 ? -1 : firstBroken(invariants, machine.decode(bytes)));
    overrides["brokenInvariant"] = { value: brokenInvariant, enumerable: true };
  }
  // A view over the machine, not a copy: its own methods (and a class's prototype) stay where they are.
  return Object.create(machine, overrides) as StateMachine<S>;
}
