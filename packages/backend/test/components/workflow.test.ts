/**
 * `@convex-dev/workflow` 0.5.0 from npm, unmodified, with the workpool 0.4.16 its peer range
 * installs, pushed with the official CLI and driven by the official clients, following its
 * README: steps run as queries, mutations and actions through the workpool; parallel steps;
 * inline steps; nested workflows; action retries; `start` with onComplete; status (live over
 * the WebSocket client); sleep and runAfter; events; cancel; cleanup; list and listSteps.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi, type FunctionReference } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { pushOnce, repoRoot, tempDir } from "../server/fixture.js";
import { action, mutation, query, until } from "../scheduler/support.js";
import { copyComponentFixture } from "./fixture.js";

const ex = anyApi.example!;
let backend: Backend;
let client: ConvexHttpClient;
let live: ConvexClient;
type Result = { kind: string; returnValue?: unknown; error?: string; context: unknown };
type Status = { type: string; result?: unknown; error?: string; running?: unknown[] };

before(async () => {
  const deps = join(repoRoot, "test", "component-deps", "workflow", "node_modules");
  const app = await copyComponentFixture("workflow", ["workflow", "workpool"], deps);
  backend = await startBackend({ dataDir: await tempDir("workflow-data"), port: 0, sitePort: 0, logger: silentLogger });
  await pushOnce(app, { url: backend.url, adminKey: backend.adminKey });
  client = new ConvexHttpClient(backend.url);
  live = new ConvexClient(backend.url);
});

after(async () => {
  await live?.close();
  await backend?.close();
});

function resultOf(workflowId: string): Promise<Result> {
  return until(
    () => query<Result | null>(client, ex.result, { workflowId }),
    (r) => r !== null,
    `onComplete of ${workflowId}`,
  ) as Promise<Result>;
}

test("a started workflow runs its query and action steps; onComplete gets the return value and context", async () => {
  const id = await mutation<string>(client, ex.kickoffWorkflow, { name: "James" });
  assert.deepEqual(await resultOf(id), {
    kind: "success",
    returnValue: "The query says... Hi James! The action says... Hi back!",
    context: { intent: "welcome", for: "James" },
  });
  const status = await query<Status>(client, ex.status, { workflowId: id });
  assert.deepEqual(status, { type: "completed", result: "The query says... Hi James! The action says... Hi back!" });
  assert.deepEqual(await query<Status>(client, ex.managerStatus, { workflowId: id }), status);
  const steps = await query<{ name: string; kind: string; stepNumber: number }[]>(client, ex.steps, { workflowId: id });
  assert.deepEqual(
    steps.map((s) => [s.stepNumber, s.kind, s.name]),
    [
      [0, "function", "example:exampleQuery"],
      [1, "function", "example:exampleAction"],
    ],
  );
});

test("workflow.start from an action", async () => {
  const id = await action<string>(client, ex.kickoffFromAction, { name: "Ada" });
  const r = await resultOf(id);
  assert.equal(r.kind, "success");
  assert.equal(r.returnValue, "The query says... Hi Ada! The action says... Hi back!");
  assert.deepEqual(r.context, { intent: "action", for: "Ada" });
});

test("parallel steps (Promise.all), an inline mutation and a nested workflow", async () => {
  const id = await mutation<string>(client, ex.startParallel, { n: 3 });
  const r = await resultOf(id);
  const child = "The query says... Hi child! The action says... Hi back!";
  assert.deepEqual(r.returnValue, [9, 16, 1, 2, child.length]);
  assert.equal(await query<number>(client, ex.counter, { label: "parallel" }), 2, "each mutation step ran once");
  const steps = await query<{ kind: string }[]>(client, ex.steps, { workflowId: id });
  assert.deepEqual(
    steps.map((s) => s.kind),
    ["function", "function", "function", "function", "workflow"],
  );
});

test("a failing action step is retried with the step's retry policy; without retries the workflow fails", async () => {
  const ok = await mutation<string>(client, ex.startRetry, { label: "flaky", failures: 2, retry: true });
  const r = await resultOf(ok);
  assert.equal(r.kind, "success");
  assert.equal(r.returnValue, "ok after 3");
  assert.equal(await query<number>(client, ex.counter, { label: "flaky" }), 3);

  const bad = await mutation<string>(client, ex.startRetry, { label: "fails", failures: 5, retry: false });
  const f = await resultOf(bad);
  assert.equal(f.kind, "failed");
  assert.match(f.error ?? "", /attempt 1 failed/);
  assert.equal(await query<number>(client, ex.counter, { label: "fails" }), 1);
  const status = await query<Status>(client, ex.status, { workflowId: bad });
  assert.equal(status.type, "failed");
  assert.match(status.error ?? "", /attempt 1 failed/);
});

test("a step's error can be caught in the handler", async () => {
  const id = await mutation<string>(client, ex.startCatching, {});
  const r = await resultOf(id);
  assert.equal(r.kind, "success");
  assert.match(String(r.returnValue), /^caught: .*attempt 1 failed/);
});

test("step.sleep and runAfter delay the next steps", async () => {
  const before = Date.now();
  const id = await mutation<string>(client, ex.startTimed, { sleepMs: 300, afterMs: 200 });
  assert.equal((await resultOf(id)).kind, "success");
  const times = await query<{ label: string; at: number }[]>(client, ex.times);
  const at = (label: string) => times.find((t) => t.label === label)!.at;
  assert.ok(at("start") >= before - 50);
  assert.ok(at("woke") - at("start") >= 300, `slept ${at("woke") - at("start")}ms`);
  assert.ok(at("after") - at("woke") >= 200, `ran after ${at("after") - at("woke")}ms`);
  const steps = await query<{ kind: string; name: string }[]>(client, ex.steps, { workflowId: id });
  assert.deepEqual(
    steps.map((s) => `${s.kind}:${s.name}`),
    ["function:example:stamp", "sleep:nap", "function:example:stamp", "function:example:stamp"],
  );
});

test("awaitEvent waits for sendEvent; the status updates live while it waits and when it completes", async () => {
  const id = await mutation<string>(client, ex.startApproval, {});
  const seen: Status[] = [];
  const stop = live.onUpdate(ex.status as FunctionReference<"query">, { workflowId: id }, (s: Status) => seen.push(s));
  try {
    const waiting = await until(
      async () => seen.at(-1),
      (s) => s?.type === "inProgress" && (s.running?.length ?? 0) > 0,
      "waiting on the event",
    );
    assert.equal((waiting!.running![0] as { kind: string }).kind, "event");
    await mutation(client, ex.approve, { workflowId: id, approved: true });
    const done = await until(
      async () => seen.at(-1),
      (s) => s?.type === "completed",
      "completed after the event",
    );
    assert.equal(done!.result, "approved; The query says... Hi approver!");
  } finally {
    stop();
  }
  assert.equal((await resultOf(id)).returnValue, "approved; The query says... Hi approver!");
});

test("an event sent with an error fails the awaiting workflow", async () => {
  const id = await mutation<string>(client, ex.startApproval, {});
  await until(
    () => query<Status>(client, ex.status, { workflowId: id }),
    (s) => (s.running?.length ?? 0) > 0,
    "waiting on the event",
  );
  await mutation(client, ex.reject, { workflowId: id });
  const r = await resultOf(id);
  assert.equal(r.kind, "failed");
  assert.match(r.error ?? "", /rejected by reviewer/);
});

test("cancel stops a waiting workflow and onComplete hears it; cleanup removes a finished one", async () => {
  const id = await mutation<string>(client, ex.startApproval, {});
  await until(
    () => query<Status>(client, ex.status, { workflowId: id }),
    (s) => (s.running?.length ?? 0) > 0,
    "waiting on the event",
  );
  await mutation(client, ex.cancelWorkflow, { workflowId: id });
  assert.equal((await query<Status>(client, ex.status, { workflowId: id })).type, "canceled");
  assert.equal((await resultOf(id)).kind, "canceled");

  const listed = await query<{ workflowId: string }[]>(client, ex.listWorkflows);
  assert.ok(listed.some((w) => w.workflowId === id));
  assert.equal(await mutation<boolean>(client, ex.cleanupWorkflow, { workflowId: id }), true);
  const after = await query<{ workflowId: string }[]>(client, ex.listWorkflows);
  assert.ok(!after.some((w) => w.workflowId === id), "cleaned up");
  await assert.rejects(query(client, ex.status, { workflowId: id }));
});
