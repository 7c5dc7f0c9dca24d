/**
 * The short crash loop `npm test` runs (the 100-cycle run is `npm run soak -- crash`): five `kill -9`
 * cycles under HTTP and WebSocket writers, bank transfers, scheduled jobs and a live subscriber;
 * some restarts are killed again while they recover.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { killAllBackendProcesses } from "./backend-process.js";
import { formatFigures, runCrashLoop } from "./crash-loop.js";

after(killAllBackendProcesses);

test("five kill -9 cycles under load: nothing acknowledged lost, nothing applied twice, invariants intact", async () => {
  const seed = Number(process.env.SOAK_SEED ?? Date.now() % 1_000_000);
  const figures = await runCrashLoop({
    cycles: 5,
    seed,
    minLoadMs: 200,
    maxLoadMs: 1200,
    recoveryKillShare: 0.4,
    log: (l) => console.log(`# ${l}`),
  });
  console.log(formatFigures(figures).replace(/^/gm, "# "));
  assert.equal(figures.lost, 0);
  assert.equal(figures.duplicates, 0);
  assert.ok(
    figures.acknowledged.writes > 0 && figures.acknowledged.transfers > 0 && figures.acknowledged.scheduled > 0,
    "every kind of write was acknowledged",
  );
  assert.deepEqual(figures.unexpectedErrors, []);
});
