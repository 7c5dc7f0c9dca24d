/** The wire protocol by hand: version chaining, dedupe, FatalError, Ping, paths, chunks, journals. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { anyApi } from "convex/server";
import { decodeTs } from "../../src/sync/ts-codec.js";
import { eventually, startHarness, ZERO_TS, type Msg, type RawClient } from "./harness.js";
import { memoryApp } from "./memory-app.js";

const api = anyApi;
const add = (queryId: number, udfPath: string, args: object, extra: object = {}) => ({
  type: "Add",
  queryId,
  udfPath,
  args: [args],
  ...extra,
});
const mqs = (baseVersion: number, modifications: object[]) => ({
  type: "ModifyQuerySet",
  baseVersion,
  newVersion: baseVersion + 1,
  modifications,
});
const transitions = (r: RawClient) =>
  r.ofType("Transition") as Array<Msg & { startVersion: any; endVersion: any; modifications: any[] }>;

test("Transitions chain exactly from {0,0,0} and carry only changed values", async () => {
  const engine = memoryApp();
  const h = await startHarness(engine);
  try {
    const r = await h.raw();
    r.connect();
    r.send(mqs(0, []));
    const first = (await r.next((m) => m.type === "Transition")) as any;
    assert.deepEqual(first.startVersion, { querySet: 0, identity: 0, ts: ZERO_TS });
    assert.equal(first.endVersion.querySet, 1);
    assert.deepEqual(first.modifications, []);

    r.send(mqs(1, [add(0, "counters:get", { name: "a" }), add(1, "counters:get", { name: "b" })]));
    await eventually(() => transitions(r).length >= 2);
    const second = transitions(r)[1]!;
    assert.deepEqual(second.startVersion, first.endVersion);
    assert.deepEqual(second.modifications.map((m) => [m.queryId, m.type, m.value]).sort(), [
      [0, "QueryUpdated", 0],
      [1, "QueryUpdated", 0],
    ]);

    await engine.runMutation({ path: "counters:inc", args: { name: "a" }, identity: { kind: "none" } });
    await eventually(() => transitions(r).length >= 3);
    const third = transitions(r)[2]!;
    assert.deepEqual(third.startVersion, second.endVersion);
    assert.deepEqual(third.modifications, [
      { queryId: 0, type: "QueryUpdated", value: 1, logLines: [], journal: null },
    ]);
    assert.ok(decodeTs(third.endVersion.ts)! > decodeTs(second.endVersion.ts)!);

    // Writing the same value again re-runs the query but changes nothing visible.
    await engine.runMutation({ path: "counters:set", args: { name: "a", value: 1 }, identity: { kind: "none" } });
    await eventually(() => transitions(r).length >= 4);
    assert.deepEqual(transitions(r)[3]!.modifications, []);

    r.send(mqs(2, [{ type: "Remove", queryId: 1 }]));
    await eventually(() => transitions(r).length >= 5);
    assert.deepEqual(transitions(r)[4]!.modifications, [{ type: "QueryRemoved", queryId: 1 }]);
    assert.equal(transitions(r)[4]!.endVersion.querySet, 3);
    const all = transitions(r);
    for (let i = 1; i < all.length; i++) assert.deepEqual(all[i]!.startVersion, all[i - 1]!.endVersion);
  } finally {
    await h.close();
  }
});

test("MutationResponse comes before the Transition that reaches its timestamp", async () => {
  const engine = memoryApp();
  const h = await startHarness(engine);
  try {
    const r = await h.raw();
    r.connect();
    r.send(mqs(0, [add(0, "counters:get", { name: "m" })]));
    await r.next((m) => m.type === "Transition");
    for (let i = 0; i < 30; i++)
      r.send({ type: "Mutation", requestId: i, udfPath: "counters:inc", args: [{ name: "m" }] });
    await r.next((m) => m.type === "MutationResponse" && m.requestId === 29);
    await eventually(() => transitions(r).some((t) => t.modifications.some((m) => m.value === 30)));
    const responseAt = new Map<number, number>();
    r.messages.forEach((m, i) => {
      if (m.type === "MutationResponse") responseAt.set(m.requestId as number, i);
    });
    r.messages.forEach((m, i) => {
      if (m.type !== "MutationResponse") return;
      const ts = decodeTs(m.ts as string)!;
      const firstReaching = r.messages.findIndex(
        (t) => t.type === "Transition" && decodeTs((t as any).endVersion.ts)! >= ts,
      );
      assert.ok(
        firstReaching === -1 || firstReaching > i,
        `Transition at ${firstReaching} overtook MutationResponse at ${i}`,
      );
    });
  } finally {
    await h.close();
  }
});

test("a burst of commits to one shared query: every subscriber's Transitions chain and end at the last value", async () => {
  const engine = memoryApp();
  const h = await startHarness(engine);
  try {
    const readers = await Promise.all(Array.from({ length: 40 }, () => h.raw()));
    for (const r of readers) {
      r.connect();
      r.send(mqs(0, [add(0, "counters:get", { name: "burst" })]));
    }
    await Promise.all(readers.map((r) => r.next((m) => m.type === "Transition")));
    const writer = await h.raw();
    writer.connect();
    for (let i = 0; i < 30; i++)
      writer.send({ type: "Mutation", requestId: i, udfPath: "counters:inc", args: [{ name: "burst" }] });
    await writer.next((m) => m.type === "MutationResponse" && m.requestId === 29);
    for (const r of readers) {
      await eventually(() => transitions(r).some((t) => t.modifications.some((m) => m.value === 30)));
      const ts = transitions(r).map((t) => decodeTs(t.endVersion.ts)!);
      transitions(r).forEach((t, i) => {
        if (i > 0) assert.deepEqual(t.startVersion, transitions(r)[i - 1]!.endVersion);
        if (i > 0) assert.ok(ts[i]! >= ts[i - 1]!, "timestamps never go back");
      });
      const values = transitions(r).flatMap((t) => t.modifications.map((m) => m.value as number));
      assert.deepEqual(
        values,
        [...values].sort((a, b) => a - b),
        "values only grow",
      );
    }
  } finally {
    await h.close();
  }
});

test("a commit that ends a shared re-run's result while it runs still reaches the subscriber", async () => {
  const engine = memoryApp();
  // Query runs wait for `release` while `held`: the second commit lands during the first re-run.
  let held = false;
  let release = () => {};
  const gated = new Proxy(engine, {
    get(target, prop) {
      if (prop === "runQuery")
        return async (req: Parameters<typeof engine.runQuery>[0]) => {
          if (held) await new Promise<void>((r) => (release = r));
          return target.runQuery(req);
        };
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const h = await startHarness(gated);
  try {
    const r = await h.raw();
    r.connect();
    r.send(mqs(0, [add(0, "counters:get", { name: "w" })]));
    await r.next((m) => m.type === "Transition");
    held = true;
    const none = { kind: "none" } as const;
    await engine.runMutation({ path: "counters:set", args: { name: "w", value: 1 }, identity: none });
    await eventually(() => h.sync.stats().subscriptions.runs >= 2, 5000, "the re-run to start");
    await engine.runMutation({ path: "counters:set", args: { name: "w", value: 2 }, identity: none });
    held = false;
    release();
    await eventually(() => transitions(r).some((t) => t.modifications.some((m) => m.value === 2)));
  } finally {
    await h.close();
  }
});

test("protocol violations end that connection with a FatalError; others are untouched", async () => {
  const engine = memoryApp();
  const h = await startHarness(engine, { maxInboundBytes: 64 * 1024 });
  try {
    const good = h.client();
    const seen: number[] = [];
    good.onUpdate(api.counters!.get!, { name: "ok" }, (v: number) => seen.push(v));
    await eventually(() => seen.length > 0);

    const cases: Array<[string, (r: RawClient) => void, RegExp]> = [
      ["garbage text", (r) => r.send("}{ not json"), /InvalidMessage/],
      ["binary frame", (r) => r.ws.send(Buffer.from([1, 2, 3])), /BinaryFrame/],
      ["unknown type", (r) => (r.connect(), r.send({ type: "Explode" })), /UnknownMessageType/],
      ["before Connect", (r) => r.send(mqs(0, [])), /NotConnected/],
      ["wrong base version", (r) => (r.connect(), r.send(mqs(5, []))), /BaseVersionMismatch/],
      ["non-growing version", (r) => (r.connect(), r.send({ ...mqs(0, []), newVersion: 0 })), /InvalidVersion/],
      [
        "duplicate query id",
        (r) => (r.connect(), r.send(mqs(0, [add(1, "counters:get", {}), add(1, "counters:get", {})]))),
        /DuplicateQueryId/,
      ],
      ["unknown removal", (r) => (r.connect(), r.send(mqs(0, [{ type: "Remove", queryId: 9 }]))), /UnknownQueryId/],
      [
        "bad args",
        (r) => (r.connect(), r.send({ type: "Mutation", requestId: 0, udfPath: "counters:inc", args: {} })),
        /InvalidMessage/,
      ],
      [
        "bad udf path",
        (r) => (r.connect(), r.send({ type: "Mutation", requestId: 0, udfPath: "../x:y", args: [{}] })),
        /InvalidUdfPath/,
      ],
      [
        "wrong auth version",
        (r) => (r.connect(), r.send({ type: "Authenticate", baseVersion: 3, tokenType: "None" })),
        /BaseVersionMismatch/,
      ],
      ["second Connect", (r) => (r.connect(), r.connect()), /AlreadyConnected/],
      [
        "huge frame",
        (r) => (r.connect(), r.send(JSON.stringify({ type: "Event", eventType: "x", event: "y".repeat(200_000) }))),
        /MessageTooLarge/,
      ],
    ];
    for (const [name, act, expected] of cases) {
      const r = await h.raw();
      act(r);
      const fatal = await r.next((m) => m.type === "FatalError").catch((e) => assert.fail(`${name}: ${e}`));
      assert.match(fatal.error as string, expected, name);
      await r.waitClosed();
    }
    assert.equal(h.sync.stats().fatalErrors, cases.length);
    // Event messages are accepted silently.
    const quiet = await h.raw();
    quiet.connect();
    quiet.send({ type: "Event", eventType: "NetworkRecoveryReconnect", event: { timeSavedMs: 5 } });
    quiet.send(mqs(0, []));
    await quiet.next((m) => m.type === "Transition");
    assert.equal(quiet.ofType("FatalError").length, 0);

    await good.mutation(api.counters!.inc!, { name: "ok" });
    await eventually(() => seen.at(-1) === 1, 5000, "the good client still works");
  } finally {
    await h.close();
  }
});

test("a Ping after the configured outbound silence", async () => {
  const h = await startHarness(memoryApp(), { pingIntervalMs: 100 });
  try {
    const r = await h.raw();
    r.connect();
    r.send(mqs(0, []));
    await r.next((m) => m.type === "Transition");
    const started = Date.now();
    await r.next((m) => m.type === "Ping", 2000);
    assert.ok(Date.now() - started >= 90);
    await eventually(() => r.ofType("Ping").length >= 3, 2000, "repeated pings");
  } finally {
    await h.close();
  }
});

test("sync paths: versioned, unversioned, doubled slash; others are refused", async () => {
  const h = await startHarness(memoryApp());
  try {
    for (const path of ["/api/1.48.0/sync", "/api/sync", "//api/1.48.0/sync"]) {
      const r = await h.raw(path);
      r.connect();
      r.send(mqs(0, []));
      await r.next((m) => m.type === "Transition");
    }
    await assert.rejects(h.raw("/api/1.48.0/other"), /404/);
  } finally {
    await h.close();
  }
});

test("a Connect whose maxObservedTimestamp is ahead is tolerated", async () => {
  const h = await startHarness(memoryApp());
  try {
    const r = await h.raw();
    const ahead = Buffer.alloc(8);
    ahead.writeBigUInt64LE(BigInt(Date.now() + 3_600_000) * 1_000_000n);
    r.connect({
      maxObservedTimestamp: ahead.toString("base64"),
      connectionCount: 3,
      lastCloseReason: "InactiveServer",
    });
    r.send(mqs(0, [add(0, "counters:get", { name: "x" })]));
    const t = (await r.next((m) => m.type === "Transition", 5000)) as any;
    assert.equal(t.modifications[0].value, 0);
  } finally {
    await h.close();
  }
});

test("large Transitions are split into TransitionChunks the official client reassembles", async () => {
  const engine = memoryApp();
  const h = await startHarness(engine, { transitionChunkBytes: 1000 });
  try {
    const r = await h.raw();
    r.connect();
    r.send(mqs(0, [add(0, "counters:big", { name: "c", size: 5000 })]));
    await r.next((m) => m.type === "TransitionChunk" && m.partNumber === (m.totalParts as number) - 1);
    const chunks = r.ofType("TransitionChunk") as any[];
    assert.ok(chunks.length >= 5);
    assert.ok(chunks.every((c, i) => c.partNumber === i && c.transitionId === chunks[0].transitionId));
    const whole = JSON.parse(chunks.map((c) => c.chunk).join(""));
    assert.equal(whole.type, "Transition");
    assert.equal(whole.modifications[0].value.length, 5000);
    // Unversioned clients (maybe older than 1.28.0) get the Transition whole.
    const old = await h.raw("/api/sync");
    old.connect();
    old.send(mqs(0, [add(0, "counters:big", { name: "c", size: 5000 })]));
    await old.next((m) => m.type === "Transition");
    assert.equal(old.ofType("TransitionChunk").length, 0);

    const client = h.client();
    const values: string[] = [];
    client.onUpdate(api.counters!.big!, { name: "c", size: 5000 }, (v: string) => values.push(v));
    await eventually(() => values.length > 0);
    await client.mutation(api.counters!.set!, { name: "c", value: 7 });
    await eventually(() => values.at(-1)?.startsWith("7x") === true);
    assert.equal(values.at(-1)!.length, 5000);
  } finally {
    await h.close();
  }
});

test("query journals keep pages gapless while documents are inserted", async () => {
  const engine = memoryApp();
  for (const k of ["b", "d", "f", "h", "j", "l"]) await engine.write("items", k, k);
  const h = await startHarness(engine);
  try {
    const r = await h.raw();
    r.connect();
    r.send(mqs(0, [add(0, "counters:page", { cursor: null, numItems: 3 })]));
    const p1 = ((await r.next((m) => m.type === "Transition")) as any).modifications[0];
    assert.deepEqual(p1.value.page, ["b", "d", "f"]);
    assert.notEqual(p1.journal, null);
    r.send(mqs(1, [add(1, "counters:page", { cursor: p1.value.continueCursor, numItems: 3 })]));
    const p2 = ((await r.next((m) => m.type === "Transition" && (m as any).modifications.length > 0, 5000, 1)) as any)
      .modifications[0];
    assert.deepEqual(p2.value.page, ["h", "j", "l"]);

    // Inserting inside page 1 grows page 1 (its end is fixed by the journal); page 2 is untouched.
    const count = r.messages.length;
    await engine.runMutation({ path: "items:add", args: { key: "c" }, identity: { kind: "none" } });
    await engine.runMutation({ path: "items:add", args: { key: "e" }, identity: { kind: "none" } });
    await eventually(() =>
      transitions(r).some((t) => t.modifications.some((m) => m.queryId === 0 && m.value.page.length === 5)),
    );
    const updates = r.messages.slice(count).flatMap((m) => (m.type === "Transition" ? (m as any).modifications : []));
    assert.ok(
      updates.every((m: any) => m.queryId === 0),
      "page 2 was not re-sent",
    );
    const page1 = updates.at(-1).value.page as string[];
    assert.deepEqual([...page1, ...p2.value.page], ["b", "c", "d", "e", "f", "h", "j", "l"]);

    // A reconnecting client sends the journal back with Add; the page keeps its end.
    const again = await h.raw();
    again.connect();
    again.send(mqs(0, [add(0, "counters:page", { cursor: null, numItems: 3 }, { journal: updates.at(-1).journal })]));
    const p1again = ((await again.next((m) => m.type === "Transition")) as any).modifications[0];
    assert.deepEqual(p1again.value.page, ["b", "c", "d", "e", "f"]);
  } finally {
    await h.close();
  }
});

test("a mutation re-sent on a later socket of its session answers from its record; a new session's runs", async () => {
  const h = await startHarness(memoryApp());
  try {
    const sessionId = crypto.randomUUID();
    const inc = (requestId: number) => ({
      type: "Mutation",
      requestId,
      udfPath: "counters:inc",
      args: [{ name: "re" }],
    });
    const first = await h.raw();
    first.connect({ sessionId });
    first.send(inc(0));
    const a = (await first.next((m) => m.type === "MutationResponse")) as any;
    assert.equal(a.success && a.result, 1);
    // The client reconnects (connectionCount 1) and re-sends request 0: it ran once already.
    const again = await h.raw();
    again.connect({ sessionId, connectionCount: 1, lastCloseReason: "InactiveServer" });
    again.send(inc(0));
    const b = (await again.next((m) => m.type === "MutationResponse")) as any;
    assert.equal(b.success && b.result, 1, "answered from the record, not run again");
    // Another session's request 0 is another mutation.
    const other = await h.raw();
    other.connect();
    other.send(inc(0));
    const c = (await other.next((m) => m.type === "MutationResponse")) as any;
    assert.equal(c.success && c.result, 2);
  } finally {
    await h.close();
  }
});
