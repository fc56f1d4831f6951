/** One measured run of our checker in a fresh process (bench/measure.ts), so that its peak memory is its own. */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Measurement, MeasureRequest } from "./measure.js";

const MEASURE = fileURLToPath(new URL("./measure.js", import.meta.url));

export function measure(request: MeasureRequest): Measurement {
  const child = spawnSync(process.execPath, [MEASURE, JSON.stringify(request)], { encoding: "utf8", maxBuffer: 2 ** 20 });
  if (child.status !== 0) throw new Error(`bench/measure failed (exit ${child.status}): ${child.stderr.trim().split("\n").slice(-3).join(" | ")}`);
  return JSON.parse(child.stdout.trim().split("\n").at(-1)!) as Measurement;
}
