/**
 * `@convex-dev/crons` 0.2.2 from npm, unmodified, pushed with the official CLI and driven by the
 * official clients, following its README: crons registered at runtime on an interval and on a
 * cron spec (with seconds) fire their mutation or action repeatedly through the component's
 * rescheduler (scheduler, function handles, `_scheduled_functions` reads); `get` by name and id,
 * `list`, `delete` (which stops the firing); the README's `doSomeStuff` from the CLI.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi, type FunctionReference } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { pushOnce, runConvex, tempDir } from "../server/fixture.js";
import { action, mutation, query, until } from "../scheduler/support.js";
import { copyComponentFixture } from "./fixture.js";

const ex = anyApi.example!;
let backend: Backend;
let client: ConvexHttpClient;
let live: ConvexClient;
let app: string;
type CronInfo = { id: string; name?: string; args: Record<string, unknown>; schedule: Record<string, unknown> };

before(async () => {
  app = await copyComponentFixture("crons", ["crons"]);
  backend = await startBackend({ dataDir: await tempDir("crons-data"), port: 0, sitePort: 0, logger: silentLogger });
  await pushOnce(app, { url: backend.url, adminKey: backend.adminKey });
  client = new ConvexHttpClient(backend.url);
  live = new ConvexClient(backend.url);
});

after(async () => {
  await live?.close();
  await backend?.close();
});

const ticks = (message: string) => query<number[]>(client, ex.ticks, { message });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("an interval cron fires repeatedly, about its interval apart; delete by name stops it", async () => {
  const id = await mutation<string>(client, ex.register, {
    schedule: { kind: "interval", ms: 1000 },
    message: "every second",
    name: "fast",
  });
  const info = await query<CronInfo>(client, ex.get, { name: "fast" });
  assert.equal(info.id, id);
  assert.equal(info.name, "fast");
  assert.deepEqual(info.schedule, { kind: "interval", ms: 1000 });
  assert.deepEqual(info.args, { message: "every second" });

  const at = await until(
    () => ticks("every second"),
    (t) => t.length >= 3,
    "three runs",
    15_000,
  );
  const gaps = at.slice(1).map((t, i) => t - at[i]!);
  // Runs are due a second apart; a loaded machine may start one late and the next on time.
  for (const gap of gaps) assert.ok(gap >= 500 && gap < 3000, `gap ${gap}ms for a 1000ms interval`);

  await mutation(client, ex.remove, { name: "fast" });
  assert.equal(await query(client, ex.get, { name: "fast" }), null);
  const stopped = (await ticks("every second")).length;
  await sleep(1500);
  assert.equal((await ticks("every second")).length, stopped, "no run after delete");
});

test("a cron spec with seconds fires an action each second (live over the WebSocket client); delete by id", async () => {
  const id = await mutation<string>(client, ex.register, {
    schedule: { kind: "cron", cronspec: "* * * * * *" },
    message: "spec",
    viaAction: true,
  });
  const seen: number[][] = [];
  const stop = live.onUpdate(ex.ticks as FunctionReference<"query">, { message: "spec" }, (t: number[]) =>
    seen.push(t),
  );
  try {
    await until(
      async () => seen.at(-1) ?? [],
      (t) => t.length >= 2,
      "two runs pushed to the subscription",
      15_000,
    );
  } finally {
    stop();
  }
  // Each run is the action's own (its start may lag its second: no spacing asserted here).
  assert.ok(seen.at(-1)!.length >= 2);
  const listed = await query<CronInfo[]>(client, ex.list);
  assert.ok(listed.some((c) => c.id === id && c.name === undefined));
  await mutation(client, ex.remove, { id });
  assert.equal(await query(client, ex.get, { id }), null);
});

test("register from an action; names are unique; intervals under a second are refused", async () => {
  const id = await action<string>(client, ex.registerFromAction, {
    schedule: { kind: "cron", cronspec: "0 0 * * *" },
    message: "daily",
    name: "daily",
  });
  assert.equal((await query<CronInfo>(client, ex.get, { name: "daily" })).id, id);
  await assert.rejects(
    mutation(client, ex.register, { schedule: { kind: "interval", ms: 3600000 }, message: "x", name: "daily" }),
    /already exists/,
  );
  await assert.rejects(
    mutation(client, ex.register, { schedule: { kind: "interval", ms: 10 }, message: "x" }),
    /Interval must be >= 1000ms/,
  );
  await assert.rejects(
    mutation(client, ex.register, { schedule: { kind: "cron", cronspec: "not a spec" }, message: "x" }),
    /Invalid cronspec/,
  );
  await mutation(client, ex.remove, { name: "daily" });
  assert.deepEqual(await query<CronInfo[]>(client, ex.list), []);
});

test("the README's doSomeStuff runs from the CLI", async () => {
  const r = await runConvex(app, ["run", "example:doSomeStuff"], { url: backend.url, adminKey: backend.adminKey });
  assert.equal(r.code, 0, r.output);
  const out = JSON.parse(r.stdout.slice(r.stdout.indexOf("{"))) as Record<string, unknown>;
  assert.deepEqual(out, {
    namedIsId: true,
    byIdSchedule: { kind: "cron", cronspec: "0 * * * *" },
    listed: 2,
    afterByName: null,
    afterById: null,
  });
});
