/** SubscriptionManager over the in-memory engine: exact invalidation, races, sharing, coalescing. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Timestamp } from "@tandem/storage";
import { SubscriptionManager, type Execution } from "../../src/subscriptions/manager.js";
import type { SharedResult } from "../../src/subscriptions/shared-result.js";
import { createMemoryEngine } from "../support/memory-engine.js";

const none = { kind: "none" } as const;
const spec = (name: string) => ({ path: "c:get", args: { name }, identity: none, journal: null });

/** The value a successful result holds. */
function valueOf(r: SharedResult): unknown {
  assert.ok(r.outcome.ok, "the query succeeded");
  return JSON.parse(r.outcome.valueJson);
}

function setup() {
  let hold: Promise<void> | null = null;
  let entered: (() => void) | null = null;
  const engine = createMemoryEngine({
    queries: {
      "c:get": async (ctx, { name }) => {
        const v = ctx.get("c", name as string);
        if (hold) {
          entered?.();
          await hold;
        }
        return v;
      },
    },
    mutations: { "c:set": (ctx, { name, value }) => (ctx.set("c", name as string, value!), null) },
  });
  const manager = new SubscriptionManager(engine);
  const set = async (name: string, value: number) =>
    (await engine.runMutation({ path: "c:set", args: { name, value }, identity: none })).ts as Timestamp;
  /** Makes runs wait for `p`; the returned promise resolves when a run has reached the wait. */
  const holdWith = (p: Promise<void> | null) => {
    hold = p;
    return new Promise<void>((r) => (entered = r));
  };
  return { engine, manager, set, holdWith };
}

function recorder() {
  const hits: Execution[] = [];
  return { hits, invalidated: (e: Execution) => void hits.push(e) };
}

test("a commit invalidates exactly the subscriptions whose read sets contain a written key", async () => {
  const { manager, set } = setup();
  const sub = recorder();
  const execs = ["a", "b", "c", "d"].map((n) => manager.acquire(spec(n), sub));
  for (const e of execs) await manager.resultAt(e, manager.processedTs);
  assert.equal(manager.stats().ranges, 4);
  await set("b", 1);
  assert.deepEqual(
    sub.hits.map((e) => e.spec.args),
    [{ name: "b" }],
  );
  await set("zzz", 1);
  assert.equal(sub.hits.length, 1, "a write nobody read invalidates nothing");
  // The invalidated result left the index; a second write to it costs nothing until it re-runs.
  await set("b", 2);
  assert.equal(sub.hits.length, 1);
  const r = await manager.resultAt(execs[1]!, manager.processedTs);
  assert.equal(valueOf(r), 2);
  await set("b", 3);
  assert.equal(sub.hits.length, 2);
});

test("a commit that lands while a query runs is not missed", async () => {
  const { manager, set, holdWith } = setup();
  const sub = recorder();
  const exec = manager.acquire(spec("race"), sub);
  let release!: () => void;
  const reached = holdWith(new Promise<void>((r) => (release = r)));
  const ts0 = manager.processedTs;
  const running = manager.resultAt(exec, ts0);
  await reached;
  const written = await set("race", 9); // commits while the run at ts0 is still in flight
  holdWith(null);
  release();
  const result = await running;
  assert.equal(result.ts, ts0);
  assert.equal(result.validUntil, written, "the result is known to end at the racing commit");
  assert.equal(sub.hits.length, 1, "the subscriber was told");
  const fresh = await manager.resultAt(exec, manager.processedTs);
  assert.equal(valueOf(fresh), 9);
});

test("identical specs share one execution; it is released with its last subscriber", async () => {
  const { engine, manager } = setup();
  const s1 = recorder();
  const s2 = recorder();
  const e1 = manager.acquire(spec("x"), s1);
  const e2 = manager.acquire({ ...spec("x"), args: { name: "x" } }, s2);
  assert.equal(e1, e2);
  const [r1, r2] = await Promise.all([
    manager.resultAt(e1, manager.processedTs),
    manager.resultAt(e2, manager.processedTs),
  ]);
  assert.equal(r1, r2, "one serialized result");
  assert.equal(engine.runs.get("c:get"), 1);
  manager.release(e1, s1);
  assert.equal(manager.stats().executions, 1);
  manager.release(e2, s2);
  assert.equal(manager.stats().executions, 0);
  assert.equal(manager.stats().ranges, 0);
  const other = manager.acquire({ ...spec("x"), identity: { kind: "admin" } }, s1);
  assert.notEqual(other, e1, "another identity is another execution");
});

test("a subscriber's claims on one execution are counted: it is told until its last claim goes", async () => {
  const { manager, set } = setup();
  const sub = recorder();
  const e1 = manager.acquire(spec("twice"), sub);
  const e2 = manager.acquire(spec("twice"), sub);
  assert.equal(e1, e2);
  await manager.resultAt(e1, manager.processedTs);
  manager.release(e1, sub);
  assert.equal(manager.stats().executions, 1, "one claim is left");
  await set("twice", 1);
  assert.deepEqual(sub.hits, [e1], "told once, not once per claim");
  manager.release(e2, sub);
  assert.equal(manager.stats().executions, 0);
  manager.release(e2, sub);
  assert.equal(manager.stats().executions, 0, "a release without a claim does nothing");
});

test("a burst of commits re-runs a subscription far fewer times than it commits", async () => {
  const { engine, manager, set } = setup();
  let exec!: Execution;
  // A subscriber that, like a connection, comes back for a newer result after the current task.
  let rerun: Promise<unknown> | null = null;
  const sub = {
    invalidated: () => {
      rerun ??= new Promise<void>((r) => setImmediate(r)).then(async () => {
        rerun = null;
        await manager.resultAt(exec, manager.processedTs);
      });
    },
  };
  exec = manager.acquire(spec("burst"), sub);
  await manager.resultAt(exec, manager.processedTs);
  const runsBefore = engine.runs.get("c:get")!;
  await Promise.all(Array.from({ length: 200 }, (_, i) => set("burst", i)));
  while (rerun) await rerun; // the re-runs the burst caused, and those their commits caused
  const reruns = engine.runs.get("c:get")! - runsBefore;
  // The memory engine commits the whole burst before the subscriber's next task: one re-run.
  assert.equal(reruns, 1, `${reruns} re-runs for 200 commits`);
  const last = await manager.resultAt(exec, manager.processedTs);
  assert.equal(valueOf(last), 199);
  assert.equal(engine.runs.get("c:get")! - runsBefore, reruns, "the last result was current: no further run");
});
