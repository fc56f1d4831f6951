/**
 * The time of the whole proof (`multipager prove`'s obligations, through
 * model/lang/induction.ts), by hand: `npm run build && node dist/bench/prove.js [REPEAT]`.
 * Prints each run's seconds, then the slowest obligations of the last run.
 */
import { proveInduction } from "../model/lang/induction.js";
import { designProblem } from "../cli/prove/problem.js";

const repeat = Number(process.argv[2] ?? 3);
let last: Awaited<ReturnType<typeof proveInduction>> = [];
for (let i = 0; i < repeat; i++) {
  const started = performance.now();
  last = await proveInduction(designProblem(null), { timeoutMs: 60_000 });
  const proved = last.filter((r) => r.outcome.status === "proved").length;
  console.log(`run ${i + 1}: ${((performance.now() - started) / 1000).toFixed(1)} s, ${proved} of ${last.length} obligations proved`);
}
const slowest = [...last].sort((a, b) => b.outcome.seconds - a.outcome.seconds).slice(0, 5);
for (const r of slowest) console.log(`  ${r.outcome.seconds.toFixed(2)} s  ${r.obligation.kind} ${r.obligation.action ?? ""} ${r.obligation.property}`);
