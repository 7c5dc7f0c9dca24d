/**
 * Idle subscribed connections within the memory budget (issue 24, item 3), at 3,000 connections
 * (`npm run soak -- idle` runs 10,000): each a raw WebSocket subscribed to its own query, idle past
 * the keep-alive interval; the server's resident memory per connection stays within
 * `IDLE_BUDGET_KIB`, none is dropped, each is pinged, and a write still reaches its subscriber.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkIdle, describeIdle, runIdleSoak } from "./idle.js";
import { serveSoakApp } from "./serve.js";

test("3,000 idle subscribed connections stay within the per-connection memory budget", async (t) => {
  const served = await serveSoakApp();
  t.after(() => served.stop());
  const report = await runIdleSoak(served, { connections: 3_000, idleMs: 20_000 });
  for (const l of describeIdle(report)) t.diagnostic(l);
  assert.deepEqual(checkIdle(report), []);
});
