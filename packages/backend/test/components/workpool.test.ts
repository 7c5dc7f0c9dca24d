/**
 * `@convex-dev/workpool` from npm, unmodified (it installs its own `@convex-dev/batch-worker`),
 * pushed with the official CLI: actions and mutations enqueued from mutations and actions run
 * through the component's scheduler loop, `maxParallelism` bounds how many run at once,
 * `onComplete` callbacks (app functions reached through function handles) get the result, and a
 * failing action is retried with backoff. A local component's own cron runs too.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { pushOnce, tempDir } from "../server/fixture.js";
import { action, mutation, query, until } from "../scheduler/support.js";
import { copyComponentFixture } from "./fixture.js";

const jobs = anyApi.jobs!;
let backend: Backend;
let client: ConvexHttpClient;
type Result = { label: string; kind: string; value?: unknown; error?: string };

before(async () => {
  const app = await copyComponentFixture("workpool", ["workpool"]);
  backend = await startBackend({ dataDir: await tempDir("workpool-data"), port: 0, sitePort: 0, logger: silentLogger });
  await pushOnce(app, { url: backend.url, adminKey: backend.adminKey });
  client = new ConvexHttpClient(backend.url);
});

after(async () => {
  await backend?.close();
});

async function resultOf(label: string): Promise<Result> {
  const all = await until(
    () => query<Result[]>(client, jobs.results),
    (rs) => rs.some((r) => r.label === label),
    `onComplete for ${label}`,
  );
  return all.find((r) => r.label === label)!;
}

test("an enqueued action runs and onComplete gets its return value", async () => {
  const id = await mutation<string>(client, jobs.enqueueDouble, { label: "double", n: 21 });
  assert.equal(typeof id, "string");
  assert.deepEqual(await resultOf("double"), { label: "double", kind: "success", value: 42 });
  const status = await until(
    () => query<{ state: string }>(client, jobs.status, { id }),
    (s) => s.state === "finished",
    "status finished",
  );
  assert.equal(status.state, "finished");
});

test("an enqueued mutation runs and onComplete gets its return value", async () => {
  await mutation(client, jobs.enqueueNote, { label: "note" });
  assert.deepEqual(await resultOf("note"), { label: "note", kind: "success", value: "noted note" });
  assert.equal(await query<number>(client, jobs.attempts, { label: "note" }), 0, "the mutation's write committed");
});

test("work enqueued from an action runs too", async () => {
  await action(client, jobs.enqueueFromAction, { label: "from-action", n: 5 });
  assert.deepEqual(await resultOf("from-action"), { label: "from-action", kind: "success", value: 10 });
});

test("maxParallelism bounds how many actions run at once", async () => {
  const labels = ["s0", "s1", "s2", "s3", "s4", "s5"];
  for (const label of labels) await mutation(client, jobs.enqueueSlow, { label, ms: 150 });
  for (const label of labels) assert.equal((await resultOf(label)).kind, "success");
  const gauge = await query<{ running: number; peak: number }>(client, jobs.gauge);
  assert.equal(gauge.running, 0);
  assert.ok(gauge.peak >= 1 && gauge.peak <= 2, `peak ${gauge.peak} within maxParallelism 2`);
});

test("a failing action is retried until it succeeds; without retry it fails once", async () => {
  await mutation(client, jobs.enqueueFlaky, { label: "flaky", failures: 2, retry: true });
  assert.deepEqual(await resultOf("flaky"), { label: "flaky", kind: "success", value: "ok after 3" });
  assert.equal(await query<number>(client, jobs.attempts, { label: "flaky" }), 3);

  await mutation(client, jobs.enqueueFlaky, { label: "fails", failures: 5, retry: false });
  const failed = await resultOf("fails");
  assert.equal(failed.kind, "failed");
  assert.match(failed.error ?? "", /attempt 1 failed/);
  assert.equal(await query<number>(client, jobs.attempts, { label: "fails" }), 1);
});

test("a component's own cron (its crons.ts) runs its own function", async () => {
  const n = await until(
    () => query<number>(client, jobs.ticks),
    (c) => c >= 2,
    "the ticker component's cron",
  );
  assert.ok(n >= 2);
});

test("a component action's ctx.scheduler runs the component's own internal mutation", async () => {
  await action(client, jobs.markLater, { note: "later" });
  assert.deepEqual(
    await until(
      () => query<string[]>(client, jobs.marks),
      (m) => m.length > 0,
      "the scheduled mark",
    ),
    ["later"],
  );
});
