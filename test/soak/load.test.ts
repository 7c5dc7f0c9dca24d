/**
 * The memory and time soak, shortened (issue 24, item 3; the full hour is `npm run soak -- load`):
 * a minute of steady mixed load against `tandem serve` (HTTP and WebSocket mutations, queries,
 * churning subscribers, identity token mints and authenticated queries), with resident memory
 * and p99 latency after a 20 s warm-up held to `LOAD_BOUNDS`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkLoad, describeLoad, runLoadSoak } from "./load.js";
import { serveSoakApp } from "./serve.js";

test("a minute of mixed load: no errors, resident memory and p99 latency steady after warm-up", async (t) => {
  const served = await serveSoakApp();
  t.after(() => served.stop());
  const report = await runLoadSoak(served, {
    minutes: 1,
    warmupMinutes: 1 / 3,
    windowMinutes: 1 / 3,
    sampleMs: 2_000,
    subscribers: 30,
  });
  for (const l of describeLoad(report)) t.diagnostic(l);
  assert.deepEqual(checkLoad(report), []);
  assert.ok(report.ops["http mutation"] > 100 && report.ops["token mint"] > 20, JSON.stringify(report.ops));
});
