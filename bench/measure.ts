/**
 * One measured run of our checker in a fresh process (so that its peak
 * memory is its own): `node dist/bench/measure.js '<json request>'` prints
 * one JSON line of figures. Used by bench/run.ts.
 */
import { check } from "../model/check.js";
import type { StateMachine } from "../model/machine.js";
import { checkParallel } from "../model/parallel.js";
import { buildSpec, buildWithRules, specSource, validateConfig, type SpecConfig } from "../spec/index.js";
import { variantRules } from "../spec/variants.js";

export interface MeasureRequest {
  readonly config: SpecConfig;
  /** A decision variant of spec/variants.ts instead of the design (one worker only). */
  readonly variant?: string;
  /** Another build's spec/index.js (the baseline's), checked by today's checker (one worker only). */
  readonly specModule?: string;
  readonly symmetry: boolean;
  readonly workers: number;
  readonly maxMemory?: number;
}

export interface Measurement {
  readonly status: string;
  readonly distinct: number;
  readonly generated: number;
  readonly depth: number;
  readonly seconds: number;
  /** CPU time of the whole process (all threads), user + system. */
  readonly cpuSeconds: number;
  readonly peakMemoryBytes: number;
  readonly visitedBytes: number;
}

async function machineFor(request: MeasureRequest): Promise<StateMachine<unknown>> {
  if (request.specModule !== undefined) {
    const other = (await import(request.specModule)) as { buildSpec: (config: SpecConfig) => StateMachine<unknown> };
    return other.buildSpec(request.config);
  }
  if (request.variant !== undefined) return buildWithRules(validateConfig(request.config, "bench"), variantRules(request.variant)) as StateMachine<unknown>;
  return buildSpec(request.config) as StateMachine<unknown>;
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? "{}") as MeasureRequest;
  const options = {
    checkDeadlock: true,
    symmetry: request.symmetry,
    ...(request.maxMemory !== undefined ? { maxMemory: request.maxMemory } : {}),
  };
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result =
    request.workers > 1
      ? await checkParallel(specSource(request.config), { ...options, workers: request.workers })
      : check(await machineFor(request), options);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const s = result.statistics;
  const measurement: Measurement = {
    status: result.status === "violation" ? `violation ${result.violation?.name}` : result.status,
    distinct: s.distinct,
    generated: s.generated,
    depth: s.depth,
    seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    peakMemoryBytes: process.resourceUsage().maxRSS * 1024,
    visitedBytes: s.visitedBytes ?? s.storeBytes,
  };
  process.stdout.write(`${JSON.stringify(measurement)}\n`);
}

await main();
