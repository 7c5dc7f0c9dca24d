/**
 * Scheduled functions and crons through the official client and CLI: a pushed app schedules from
 * mutations and actions, chains, cancels, rolls back, fails, restarts; crons fire on a manual clock
 * and are replaced on push.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { WebSocket } from "ws";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { ManualClock } from "../../src/scheduler/index.js";
import { copyFixture, pushOnce, runConvex, tempDir } from "../server/fixture.js";
import { action, mutation, query, until, type Job, type Run } from "./support.js";

const api = anyApi;
const HOUR = 3_600_000;
let dataDir: string;
let app: string;
let backend: Backend;
let clock: ManualClock;
let client: ConvexHttpClient;

const start = async () => {
  clock = new ManualClock();
  backend = await startBackend({ dataDir, port: 0, sitePort: 0, logger: silentLogger, clock });
  client = new ConvexHttpClient(backend.url);
};
const runs = (tag: string) => query<Run[]>(client, api.jobs.runs, { tag });
const job = (id: string) => query<Job | null>(client, api.jobs.job, { id });
const jobs = () => query<Job[]>(client, api.jobs.jobs);
const admin = () => {
  const c = new ConvexHttpClient(backend.url);
  (c as unknown as { setAdminAuth(k: string): void }).setAdminAuth(backend.adminKey);
  return c;
};

before(async () => {
  dataDir = await tempDir("scheduler-data");
  app = await copyFixture("scheduler");
  await start();
  await pushOnce(app, { url: backend.url, adminKey: backend.adminKey });
  await backend.scheduler.settled();
});

after(async () => {
  await backend?.close();
});

test("a chain of scheduled mutations runs each step once, in order", async () => {
  await mutation(client, api.jobs.startChain, { tag: "chain", last: 6 });
  const done = await until(
    () => runs("chain"),
    (r) => r.length >= 6,
    "six chain steps",
  );
  assert.deepEqual(
    done.map((r) => r.step),
    [1, 2, 3, 4, 5, 6],
  );
  const steps = (await jobs()).filter((j) => j.name === "jobs.js:chainStep" && j.args[0]?.tag === "chain");
  assert.equal(steps.length, 6);
  for (const s of steps) assert.equal(s.state.kind, "success");
});

test("a job is a _scheduled_functions document: pending until its time, then success", async () => {
  const before = Date.now();
  const id = await mutation<string>(client, api.jobs.later, { tag: "later", delayMs: HOUR });
  const pending = await job(id);
  assert.ok(pending);
  assert.equal(pending.name, "jobs.js:record");
  assert.deepEqual(pending.args, [{ tag: "later" }]);
  assert.deepEqual(pending.state, { kind: "pending" });
  assert.equal(pending.completedTime, undefined);
  assert.ok(
    pending.scheduledTime >= before + HOUR && pending.scheduledTime <= Date.now() + HOUR,
    `scheduledTime ${pending.scheduledTime}`,
  );
  assert.equal((await runs("later")).length, 0);
  clock.advance(HOUR);
  await until(
    () => runs("later"),
    (r) => r.length === 1,
    "the job to run",
  );
  const done = await until(
    () => job(id),
    (j) => j?.state.kind === "success",
    "success state",
  );
  assert.ok(done && typeof done.completedTime === "number");
});

test("canceling a running action marks it canceled; the action runs on and its end changes nothing", async () => {
  const id = await mutation<string>(client, api.jobs.scheduleWaiter, { tag: "waiter" });
  await until(
    () => runs("waiter"),
    (r) => r.length === 1,
    "the action to start",
  );
  assert.equal((await job(id))?.state.kind, "inProgress");
  await mutation(client, api.jobs.cancel, { id });
  assert.equal((await job(id))?.state.kind, "canceled");
  await mutation(client, api.jobs.release, { tag: "waiter" });
  await until(
    () => runs("done-waiter"),
    (r) => r.length === 1,
    "the action to finish",
  );
  // Its end was recorded after the row above committed; one more scheduled job makes sure the
  // executor has moved on before the state is read.
  const marker = await mutation<string>(client, api.jobs.later, { tag: "after-waiter", delayMs: 0 });
  await until(
    () => job(marker),
    (j) => j?.state.kind === "success",
    "the marker job",
  );
  assert.equal((await job(id))?.state.kind, "canceled");
});

test("ctx.db.get on a job id is refused: system tables are read through ctx.db.system", async () => {
  const id = await mutation<string>(client, api.jobs.at, { tag: "db-get", when: clock.now() + HOUR / 4 });
  await assert.rejects(query(client, api.jobs.userGet, { id }), /System tables can only be accessed with db\.system/);
  await mutation(client, api.jobs.cancel, { id });
});

test("a subscription to a job sees it go from pending to success", async () => {
  const live = new ConvexClient(backend.url, {
    skipConvexDeploymentUrlCheck: true,
    webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
    logger: false,
  });
  try {
    const id = await mutation<string>(client, api.jobs.at, { tag: "live", when: clock.now() + HOUR });
    const states: string[] = [];
    const done = new Promise<void>((resolve) =>
      live.onUpdate(api.jobs!.job!, { id }, (j: Job | null) => {
        if (j) states.push(j.state.kind);
        if (j?.state.kind === "success") resolve();
        else if (j?.state.kind === "pending" && states.length === 1) clock.advance(HOUR);
      }),
    );
    await done;
    assert.deepEqual(states, ["pending", "success"]);
  } finally {
    await live.close();
  }
});

test("runAt in the past runs at once; a canceled job never runs", async () => {
  // Times on the scheduler's clock: earlier tests moved it ahead of the functions' Date.now().
  const canceled = await mutation<string>(client, api.jobs.at, { tag: "canceled", when: clock.now() + HOUR / 2 });
  await mutation(client, api.jobs.cancel, { id: canceled });
  assert.equal((await job(canceled))?.state.kind, "canceled");
  assert.equal(typeof (await job(canceled))?.completedTime, "number");
  // A marker due after the canceled job: once it has run, the executor has passed the canceled one.
  const marker = await mutation<string>(client, api.jobs.at, {
    tag: "after-cancel",
    when: clock.now() + HOUR / 2 + 1000,
  });
  clock.advance(HOUR);
  await until(
    () => job(marker),
    (j) => j?.state.kind === "success",
    "the marker job",
  );
  assert.equal((await runs("canceled")).length, 0);
  assert.equal((await job(canceled))?.state.kind, "canceled");
  await mutation(client, api.jobs.at, { tag: "past", when: Date.now() - HOUR });
  await until(
    () => runs("past"),
    (r) => r.length === 1,
    "a job scheduled in the past",
  );
});

test("a mutation that throws after scheduling schedules nothing", async () => {
  await assert.rejects(mutation(client, api.jobs.scheduleThenThrow, { tag: "rolled-back" }), /rolled back on purpose/);
  const marker = await mutation<string>(client, api.jobs.later, { tag: "after-rollback", delayMs: 0 });
  await until(
    () => job(marker),
    (j) => j?.state.kind === "success",
    "the marker job",
  );
  assert.equal((await runs("rolled-back")).length, 0);
  assert.equal((await jobs()).filter((j) => j.args[0]?.tag === "rolled-back").length, 0);
});

test("a scheduled mutation that throws is marked failed with its error", async () => {
  const id = await mutation<string>(client, api.jobs.scheduleFailing, {});
  const failed = await until(
    () => job(id),
    (j) => j?.state.kind === "failed",
    "the failed state",
  );
  assert.match(failed?.state.error ?? "", /scheduled failure/);
});

test("scheduled actions run; actions schedule and cancel too", async () => {
  const id = await mutation<string>(client, api.jobs.scheduleAction, { tag: "action" });
  await until(
    () => job(id),
    (j) => j?.state.kind === "success",
    "the action job to succeed",
  );
  assert.equal((await runs("action")).length, 1);
  const fromAction = await action<string>(client, api.jobs.fromAction, { tag: "from-action" });
  await until(
    () => job(fromAction),
    (j) => j?.state.kind === "success",
    "the job an action scheduled",
  );
  assert.equal((await runs("from-action")).length, 1);
  const canceled = await action<string>(client, api.jobs.fromAction, { tag: "from-action-canceled", cancelIt: true });
  assert.equal((await job(canceled))?.state.kind, "canceled");
});

test("crons: listed by _system/frontend/listCronJobs, fire on the clock, replaced on push", async () => {
  type Cron = {
    name: string;
    cronSpec: { udfPath: string; cronSchedule: { type: string } };
    lastRun: { ts: number } | null;
    nextRun: { nextTs: number; prevTs: number | null };
  };
  const list = () => admin().query("_system/frontend/listCronJobs" as never, {}) as Promise<Cron[]>;
  const crons = await list();
  assert.deepEqual(crons.map((c) => c.name).sort(), [
    "cron string",
    "daily",
    "every minute",
    "hourly",
    "monthly",
    "weekly",
  ]);
  assert.equal(crons.find((c) => c.name === "daily")?.cronSpec.udfPath, "jobs:record");
  const daily = new Date(crons.find((c) => c.name === "daily")!.nextRun.nextTs);
  assert.deepEqual([daily.getUTCHours(), daily.getUTCMinutes()], [3, 15]);
  // Every due run has finished (a run and its cron's advance commit together; an action cron
  // records its lastRun when it ends), so run counts are stable.
  const idle = () =>
    until(
      list,
      (cs) =>
        cs.every(
          (c) =>
            c.nextRun.nextTs > clock.now() && (c.nextRun.prevTs === null || (c.lastRun?.ts ?? 0) >= c.nextRun.prevTs),
        ),
      "the crons to be idle",
    );
  const counts = async () => ({
    interval: (await runs("cron-interval")).length,
    hourly: (await runs("cron-hourly")).length,
    cronString: (await runs("cron-string")).length,
  });
  // An interval cron runs first when it is deployed, then every interval; earlier tests moved the
  // clock by hours, and each jump gave it one catch-up run (the missed ones are skipped).
  await idle();
  assert.ok((await counts()).interval >= 1, "the interval cron ran when it was deployed");
  // Park the clock mid-way between two 5-minute marks, so the steps below cross the marks they mean
  // to and real time passing during the test crosses none.
  clock.advance(300_000 - (clock.now() % 300_000) + 150_000);
  await idle();
  const c0 = await counts();
  clock.advance(60_000);
  await until(
    () => runs("cron-interval"),
    (r) => r.length >= c0.interval + 1,
    "the interval cron's next run",
  );
  await idle();
  assert.deepEqual(await counts(), { ...c0, interval: c0.interval + 1 });
  clock.advance(HOUR);
  await until(
    () => runs("cron-hourly"),
    (r) => r.length >= c0.hourly + 1,
    "the hourly cron",
  );
  await until(
    () => runs("cron-string"),
    (r) => r.length >= c0.cronString + 1,
    "the cron-string action",
  );
  await idle();
  // One run each for the hour: the interval cron's 59 missed runs were skipped, not caught up.
  assert.deepEqual(await counts(), { interval: c0.interval + 2, hourly: c0.hourly + 1, cronString: c0.cronString + 1 });
  const file = join(app, "convex", "crons.ts");
  const source = await readFile(file, "utf8");
  await writeFile(
    file,
    source
      .split("\n")
      .filter((l) => !/crons\.(hourly|weekly|monthly|cron)\(/.test(l))
      .join("\n")
      .replace("{ hourUTC: 3, minuteUTC: 15 }", "{ hourUTC: 4, minuteUTC: 45 }"),
  );
  await pushOnce(app, { url: backend.url, adminKey: backend.adminKey });
  await backend.scheduler.settled();
  const replaced = await list();
  assert.deepEqual(replaced.map((c) => c.name).sort(), ["daily", "every minute"]);
  const next = new Date(replaced.find((c) => c.name === "daily")!.nextRun.nextTs);
  assert.deepEqual([next.getUTCHours(), next.getUTCMinutes()], [4, 45]);
  await writeFile(file, source);
});

test("a push with an invalid cron schedule or a cron calling a query is refused; the old crons stay", async () => {
  const file = join(app, "convex", "crons.ts");
  const source = await readFile(file, "utf8");
  const before = (await (admin().query("_system/frontend/listCronJobs" as never, {}) as Promise<{ name: string }[]>))
    .map((c) => c.name)
    .sort();
  try {
    for (const [line, message] of [
      [
        'crons.cron("bad", "61 * * * *", internal.jobs.record, { tag: "x" });',
        /Cron job "bad" in crons\.ts: Invalid cron minute field/,
      ],
      [
        'crons.daily("reads", { hourUTC: 1 }, api.jobs.runs, {});',
        /Cron job "reads" in crons\.ts calls jobs:runs, which is a query/,
      ],
    ] as const) {
      await writeFile(
        file,
        source
          .replace("export default crons;", `${line}\nexport default crons;`)
          .replace("import { internal }", "import { api, internal }"),
      );
      const r = await runConvex(app, ["dev", "--once", "--typecheck", "disable"], {
        url: backend.url,
        adminKey: backend.adminKey,
      });
      assert.notEqual(r.code, 0, r.output);
      assert.match(r.output, message);
    }
  } finally {
    await writeFile(file, source);
  }
  const after = (await (admin().query("_system/frontend/listCronJobs" as never, {}) as Promise<{ name: string }[]>))
    .map((c) => c.name)
    .sort();
  assert.deepEqual(after, before);
});

test("pending jobs survive a restart and run once after it", async () => {
  // Functions read the real time and the earlier tests moved the scheduler's clock hours ahead:
  // an hour from the scheduler's now, so the jobs are not due before the restart.
  const ahead = clock.now() - Date.now();
  await mutation(client, api.jobs.many, { prefix: "restart-", n: 50, delayMs: ahead + HOUR });
  await backend.close();
  await start();
  assert.equal(
    (await jobs()).filter((j) => j.args[0]?.tag?.toString().startsWith("restart-") && j.state.kind === "pending")
      .length,
    50,
  );
  // The restarted server's clock starts at the real time again.
  clock.advance(ahead + HOUR);
  const all = await until(
    () => query<Run[]>(client, api.jobs.runs, {}),
    (r) => r.filter((x) => x.tag.startsWith("restart-")).length >= 50,
    "the 50 jobs after the restart",
  );
  const tags = all.filter((x) => x.tag.startsWith("restart-")).map((x) => x.tag);
  assert.equal(new Set(tags).size, 50, "no job ran twice");
});

test("finished jobs are kept for 7 days, then removed; pending ones stay", async () => {
  const pending = await mutation<string>(client, api.jobs.at, {
    tag: "far-future",
    when: clock.now() + 30 * 24 * HOUR,
  });
  const finished = (await jobs()).filter((j) => j.state.kind !== "pending");
  assert.ok(finished.length > 50);
  clock.advance(6 * 24 * HOUR);
  // A pass after the jump (the marker's run) has swept: nothing finished a day ago is gone yet.
  const marker = await mutation<string>(client, api.jobs.later, { tag: "retention-marker", delayMs: 0 });
  await until(
    () => job(marker),
    (j) => j?.state.kind === "success",
    "the marker job",
  );
  assert.ok((await jobs()).filter((j) => j.state.kind !== "pending").length >= finished.length);
  clock.advance(2 * 24 * HOUR);
  await until(
    () => jobs(),
    (js) => js.every((j) => j.state.kind === "pending" || j._id === marker),
    "the sweep of jobs older than 7 days",
  );
  assert.equal((await job(pending))?.state.kind, "pending");
});
