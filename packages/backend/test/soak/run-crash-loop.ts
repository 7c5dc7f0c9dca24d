/**
 * The full crash loop: `npm run soak -- crash` (100 cycles), or
 * `node --import tsx packages/backend/test/soak/run-crash-loop.ts --cycles N --seed S`.
 * SOAK_CYCLES / SOAK_SEED set the same from the environment. Exits 1 on any broken guarantee.
 */
import { parseArgs } from "node:util";
import { killAllBackendProcesses } from "./backend-process.js";
import { formatFigures, runCrashLoop } from "./crash-loop.js";

const { values } = parseArgs({ options: { cycles: { type: "string" }, seed: { type: "string" } } });
const cycles = Number(values.cycles ?? process.env.SOAK_CYCLES ?? 100);
const seed = Number(values.seed ?? process.env.SOAK_SEED ?? Date.now() % 1_000_000);
if (!Number.isInteger(cycles) || cycles < 1)
  throw new Error(`--cycles must be a positive integer, not ${values.cycles ?? process.env.SOAK_CYCLES}`);
if (!Number.isInteger(seed)) throw new Error("--seed must be an integer");

try {
  const figures = await runCrashLoop({ cycles, seed, log: (l) => console.log(l) });
  console.log(formatFigures(figures));
  for (const e of figures.unexpectedErrors.slice(0, 10)) console.log(`  unexpected: ${e}`);
  process.exitCode = figures.lost === 0 && figures.duplicates === 0 && figures.unexpectedErrors.length === 0 ? 0 : 1;
} catch (e) {
  console.error(`crash loop FAILED (seed ${seed}): ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
} finally {
  killAllBackendProcesses();
}
