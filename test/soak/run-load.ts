/**
 * `npm run soak -- load [--minutes N] [--warmup M] [--window W]`: the memory and time soak
 * (test/soak/load.ts) against `tandem serve`, one hour by default. Prints a line per sample, then
 * the figures, and exits 1 if a bound of `LOAD_BOUNDS` is broken. `--json FILE` also writes the
 * full report.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { checkLoad, describeLoad, LOAD_BOUNDS, runLoadSoak } from "./load.js";
import { serveSoakApp } from "./serve.js";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "60" },
    warmup: { type: "string" },
    window: { type: "string" },
    subscribers: { type: "string", default: "50" },
    json: { type: "string" },
  },
});
const minutes = Number(values.minutes);
if (!(minutes > 0)) throw new Error("--minutes must be a positive number");
// Defaults: a tenth of the run to warm up (at most 5 minutes), windows of a sixth (at most 10).
const warmupMinutes = values.warmup ? Number(values.warmup) : Math.min(5, minutes / 10);
const windowMinutes = values.window ? Number(values.window) : Math.min(10, minutes / 6);

const served = await serveSoakApp();
console.log(
  `load soak against tandem serve (pid ${served.pid}) for ${minutes} min: warm-up ${warmupMinutes} min, ` +
    `windows of ${windowMinutes} min, bounds ${JSON.stringify(LOAD_BOUNDS)}`,
);
let failed = true;
try {
  const report = await runLoadSoak(served, {
    minutes,
    warmupMinutes,
    windowMinutes,
    sampleMs: 5_000,
    subscribers: Number(values.subscribers),
    log: (l) => console.log(l),
  });
  for (const l of describeLoad(report)) console.log(l);
  if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 2));
  const problems = checkLoad(report);
  for (const p of problems) console.log(`FAILED: ${p}`);
  failed = problems.length > 0;
  if (!failed) console.log("load soak: every bound held");
} finally {
  await served.stop();
}
process.exit(failed ? 1 : 0);
