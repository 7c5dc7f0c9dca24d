/**
 * Node leases on a shared Postgres (docs/scale-out.md#leases): a node that starts leaves alone
 * the scheduled action another live node is running; once that node is killed with SIGKILL, its
 * action is marked failed — after its lease expires, not before — and never run again.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend } from "../../src/server/index.js";
import { TRANSIENT_ACTION_ERROR } from "../../src/scheduler/index.js";
import { freshSchema, postgresAvailable, POSTGRES_URL } from "../../../../test/support/postgres.js";
import { copyFixture, pushOnce, tempDir } from "./fixture.js";
import { killAllNodeProcesses, kill9, startNodeProcess } from "./pg-nodes.js";
import { mutation, query, until, type Job, type Run } from "../scheduler/support.js";

const api = anyApi;
const available = await postgresAvailable();
after(killAllNodeProcesses);

const LEASE_MS = 1500;
const ADMIN_KEY = "lease-test|admin-key";

test(
  "an action running on a live node survives another node's start; killed, its node's action fails once the lease expires",
  available,
  async () => {
    const { schema, drop } = freshSchema();
    const a = await startNodeProcess({ url: POSTGRES_URL, schema, adminKey: ADMIN_KEY, nodeLeaseMs: LEASE_MS });
    let b: Awaited<ReturnType<typeof startBackend>> | null = null;
    try {
      await pushOnce(await copyFixture("scheduler"), a);
      const onA = new ConvexHttpClient(a.url);
      const hang = await mutation<string>(onA, api.jobs!.scheduleAction, { tag: "hang-a", hang: true });
      await until(
        () => query<Run[]>(onA, api.jobs!.runs, { tag: "hang-a" }),
        (r) => r.length === 1,
        "the action to start on node A",
      );

      // Node B starts (its start looks for interrupted actions) and beats for several lease periods.
      b = await startBackend({
        dataDir: await tempDir("lease-b"),
        port: 0,
        sitePort: 0,
        logger: silentLogger,
        adminKey: ADMIN_KEY,
        database: { kind: "postgres", url: POSTGRES_URL, schema },
        nodeLeaseMs: LEASE_MS,
      });
      assert.notEqual(b.scheduler.node.id, a.nodeId);
      const onB = new ConvexHttpClient(b.url);
      const state = async () => (await query<Job>(onB, api.jobs!.job, { id: hang })).state;
      const beats = async (n: number) => {
        for (let i = 0; i < n; i++) await b!.scheduler.node.beat();
      };
      await new Promise((r) => setTimeout(r, 2 * LEASE_MS));
      await beats(2);
      assert.deepEqual(await state(), { kind: "inProgress" }, "node A's running action is left alone");
      assert.deepEqual([...(await b.scheduler.node.liveNodes())].sort(), [a.nodeId, b.scheduler.node.id].sort());

      const killedAt = performance.now();
      await kill9(a);
      const failed = await until(state, (s) => s.kind !== "inProgress", "node A's action to be marked failed", 30_000);
      const afterMs = performance.now() - killedAt;
      assert.deepEqual(failed, { kind: "failed", error: TRANSIENT_ACTION_ERROR });
      // A's last renewal came at most a third of the period before the kill.
      assert.ok(
        afterMs >= (LEASE_MS * 2) / 3 - 50,
        `failed ${afterMs.toFixed(0)} ms after the kill: before the lease expired`,
      );
      console.log(`# node A's action was marked failed ${afterMs.toFixed(0)} ms after kill -9 (lease ${LEASE_MS} ms)`);
      assert.deepEqual([...(await b.scheduler.node.liveNodes())], [b.scheduler.node.id]);
      // Failed, not re-run; and node B runs new actions itself.
      await mutation(onB, api.jobs!.scheduleAction, { tag: "after" });
      await until(
        () => query<Run[]>(onB, api.jobs!.runs, { tag: "after" }),
        (r) => r.length === 1,
        "a new action on B",
      );
      assert.equal((await query<Run[]>(onB, api.jobs!.runs, { tag: "hang-a" })).length, 1);
    } finally {
      await kill9(a);
      await b?.close();
      await drop();
    }
  },
);
