/**
 * Sync scenarios every engine must pass, driven through the official clients: registered once per
 * engine (`client.test.ts` runs them over the in-memory engine, `real-engine.test.ts` over SQLite
 * and bundled functions). Each scenario gets its own sync server over the suite's engine and uses
 * its own counter names, so scenarios do not see each other's subscriptions or data.
 */
import { after, before, suite, test } from "node:test";
import assert from "node:assert/strict";
import { anyApi } from "convex/server";
import type { Engine } from "../../src/engine/types.js";
import { eventually, startHarness, type Harness } from "./harness.js";

const api = anyApi;

export interface ScenarioEngine {
  readonly engine: Engine;
  close(): Promise<void>;
}

export function syncScenarios(name: string, start: () => Promise<ScenarioEngine>): void {
  suite(`sync scenarios (${name})`, () => {
    let engine: ScenarioEngine;
    before(async () => {
      engine = await start();
    });
    after(() => engine.close());

    const scenario = (title: string, body: (h: Harness) => Promise<void>) =>
      test(title, async () => {
        const h = await startHarness(engine.engine);
        try {
          await body(h);
        } finally {
          await h.close();
        }
      });

    scenario("a subscriber sees another client's mutation", async (h) => {
      const reader = h.client();
      const writer = h.client();
      const seen: number[] = [];
      reader.onUpdate(api.counters!.get!, { name: "seen" }, (v: number) => seen.push(v));
      await eventually(() => seen.length > 0, 10_000, "first value");
      assert.deepEqual(seen, [0]);
      assert.equal(await writer.mutation(api.counters!.inc!, { name: "seen" }), 1);
      await eventually(() => seen.at(-1) === 1, 5000, "reader sees 1");
      assert.equal(await writer.mutation(api.counters!.set!, { name: "seen", value: 42 }), 42);
      await eventually(() => seen.at(-1) === 42, 5000, "reader sees 42");
    });

    scenario("await mutation() resolves only once the client's own queries show its effect", async (h) => {
      const client = h.client();
      let latest: number | undefined;
      const sub = client.onUpdate(api.counters!.get!, { name: "ryw" }, (v: number) => (latest = v));
      await eventually(() => latest === 0, 5000, "first value");
      for (let i = 1; i <= 10; i++) {
        assert.equal(await client.mutation(api.counters!.inc!, { name: "ryw" }), i);
        assert.equal(sub.getCurrentValue(), i, "local query result already reflects the mutation");
        assert.equal(latest, i, "the onUpdate callback already ran with the new value");
      }
    });

    scenario("two queries of one client always show one consistent snapshot (A + B constant)", async (h) => {
      const reader = h.client();
      const writer = h.client();
      const sums: number[] = [];
      let a: ReturnType<typeof reader.onUpdate> | undefined;
      let b: ReturnType<typeof reader.onUpdate> | undefined;
      const check = () => {
        const va = a?.getCurrentValue() as number | undefined;
        const vb = b?.getCurrentValue() as number | undefined;
        if (va !== undefined && vb !== undefined) sums.push(va + vb);
      };
      a = reader.onUpdate(api.counters!.get!, { name: "A" }, check);
      b = reader.onUpdate(api.counters!.get!, { name: "B" }, check);
      await eventually(() => sums.length > 0, 5000, "both values");
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 100; i++) {
        writes.push(
          writer.mutation(api.counters!.transfer!, { a: i % 2 ? "A" : "B", b: i % 2 ? "B" : "A", amount: (i % 7) + 1 }),
        );
        // Let Transitions interleave with the burst.
        if (i % 10 === 0) await new Promise((r) => setImmediate(r));
      }
      await Promise.all(writes);
      assert.equal(await writer.mutation(api.counters!.transfer!, { a: "A", b: "B", amount: 1000 }), null);
      const finalA = await writer.query(api.counters!.get!, { name: "A" });
      await eventually(() => a!.getCurrentValue() === finalA, 5000, "reader catches up");
      assert.ok(sums.length > 1, `observed ${sums.length} snapshots`);
      assert.deepEqual([...new Set(sums)], [0], "every observed snapshot has A + B = 0");
    });

    scenario("a dropped connection's re-sent mutation runs once", async (h) => {
      const client = h.client();
      const values: number[] = [];
      client.onUpdate(api.counters!.get!, { name: "drop" }, (v: number) => values.push(v));
      await eventually(() => values.length > 0, 5000, "first value");
      const before = h.sockets.length;
      const pending = client.mutation(api.counters!.inc!, { name: "drop" });
      h.sockets.at(-1)!.terminate(); // the Mutation frame may or may not have left; either way: once
      await eventually(() => h.sockets.length > before, 10_000, "reconnect");
      assert.equal(await pending, 1);
      await eventually(() => values.at(-1) === 1, 5000, "subscriber sees 1");
      assert.equal(await client.mutation(api.counters!.inc!, { name: "drop" }), 2, "the first ran exactly once");
    });

    scenario("failed mutations, ConvexError data, actions and failing queries", async (h) => {
      const client = h.client();
      await assert.rejects(client.mutation(api.counters!.fail!, {}), (e: Error & { data?: unknown }) => {
        assert.match(e.message, /mutation says no/);
        assert.deepEqual(e.data, { reason: "mutation says no" });
        return true;
      });
      assert.equal(await client.action(api.counters!.viaAction!, { name: "act" }), 1);
      assert.equal(await client.query(api.counters!.get!, { name: "act" }), 1);
      await assert.rejects(client.query(api.counters!.fails!, {}), (e: Error & { data?: unknown }) => {
        assert.match(e.message, /nope/);
        assert.deepEqual(e.data, { code: 7, why: "nope" });
        return true;
      });
    });

    scenario("identical subscriptions share one execution across clients", async (h) => {
      const clients = [h.client(), h.client(), h.client(), h.client()];
      const latest = new Map<number, number>();
      clients.forEach((c, i) => c.onUpdate(api.counters!.get!, { name: "shared" }, (v: number) => latest.set(i, v)));
      await eventually(() => latest.size === 4, 5000, "all subscribed");
      const runsBefore = h.sync.stats().subscriptions.runs;
      await clients[0]!.mutation(api.counters!.inc!, { name: "shared" });
      await eventually(() => [...latest.values()].every((v) => v === 1), 5000, "all see 1");
      assert.equal(h.sync.stats().subscriptions.runs - runsBefore, 1, "one re-execution for four subscribers");
      assert.equal(h.sync.stats().subscriptions.executions, 1);
      assert.equal(h.sync.stats().queries, 4);
    });

    scenario("ConvexReactClient: watchQuery follows mutations made through it", async (h) => {
      const { ConvexReactClient } = await import("convex/react");
      const WebSocket = (await import("ws")).default;
      const client = new ConvexReactClient(h.url, {
        skipConvexDeploymentUrlCheck: true,
        webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
        logger: false,
        unsavedChangesWarning: false,
      });
      try {
        const watch = client.watchQuery(api.counters!.get!, { name: "react" });
        const values: unknown[] = [];
        const stop = watch.onUpdate(() => values.push(watch.localQueryResult()));
        await eventually(() => values.includes(0), 5000, "initial value");
        assert.equal(await client.mutation(api.counters!.inc!, { name: "react" }), 1);
        assert.equal(watch.localQueryResult(), 1, "read-your-writes through the React client");
        stop();
      } finally {
        await client.close();
      }
    });
  });
}
