/**
 * The connection's query set: ids checked against changes not yet applied, queries of one
 * connection sharing an execution, and a new identity moving every query (raw protocol; the
 * official client never sends two ids for the same query).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { anyApi } from "convex/server";
import { eventually, startHarness, type Msg, type RawClient } from "./harness.js";
import { memoryApp } from "./memory-app.js";

const api = anyApi;
const add = (queryId: number, name: string) => ({ type: "Add", queryId, udfPath: "counters:get", args: [{ name }] });
const remove = (queryId: number) => ({ type: "Remove", queryId });
const mqs = (baseVersion: number, modifications: object[]) => ({
  type: "ModifyQuerySet",
  baseVersion,
  newVersion: baseVersion + 1,
  modifications,
});
type Transition = Msg & { endVersion: { querySet: number }; modifications: Array<Record<string, unknown>> };
const transitionTo = (r: RawClient, querySet: number) =>
  r.next((m) => m.type === "Transition" && (m as Transition).endVersion.querySet === querySet) as Promise<Transition>;

test("query ids are checked against the changes the server has not applied yet", async () => {
  const h = await startHarness(memoryApp());
  try {
    const r = await h.raw();
    r.connect();
    // Sent back to back: the later messages arrive while the earlier changes may still be pending.
    r.send(mqs(0, [add(1, "a")]));
    r.send(mqs(1, [remove(1), add(1, "b"), add(2, "a")]));
    r.send(mqs(2, [remove(2)]));
    const t = await transitionTo(r, 3);
    assert.equal(r.ofType("FatalError").length, 0);
    await eventually(() => h.sync.stats().queries === 1, 5000, "one query left");
    assert.ok(t.modifications.every((m) => m.type !== "QueryUpdated" || m.queryId === 1));

    r.send(mqs(3, [remove(1), add(1, "c"), add(1, "d")]));
    const fatal = await r.next((m) => m.type === "FatalError");
    assert.match(fatal.error as string, /DuplicateQueryId/);

    const other = await h.raw();
    other.connect();
    other.send(mqs(0, [add(1, "a")]));
    other.send(mqs(1, [remove(1), remove(1)]));
    assert.match((await other.next((m) => m.type === "FatalError")).error as string, /UnknownQueryId/);
  } finally {
    await h.close();
  }
});

test("two ids for the same query share one execution until both are removed", async () => {
  const h = await startHarness(memoryApp());
  try {
    const writer = h.client();
    const r = await h.raw();
    r.connect();
    r.send(mqs(0, [add(1, "same"), add(2, "same")]));
    const first = await transitionTo(r, 1);
    assert.deepEqual(first.modifications.map((m) => m.queryId).sort(), [1, 2]);
    assert.equal(h.sync.stats().subscriptions.executions, 1);

    r.send(mqs(1, [remove(1)]));
    await transitionTo(r, 2);
    assert.equal(h.sync.stats().subscriptions.executions, 1, "query 2 still holds it");
    await writer.mutation(api.counters!.inc!, { name: "same" });
    const update = await r.next(
      (m) => m.type === "Transition" && (m as Transition).modifications.some((x) => x.value === 1),
    );
    assert.deepEqual(
      (update as Transition).modifications.map((m) => m.queryId),
      [2],
    );

    // A new identity with the same key (None again) moves query 2 onto the same execution.
    r.send({ type: "Authenticate", baseVersion: 0, tokenType: "None" });
    await r.next((m) => m.type === "Transition" && (m as any).endVersion.identity === 1);
    assert.equal(h.sync.stats().subscriptions.executions, 1);
    r.send(mqs(2, [remove(2)]));
    await transitionTo(r, 3);
    assert.equal(h.sync.stats().subscriptions.executions, 0, "released with the last query");
  } finally {
    await h.close();
  }
});
