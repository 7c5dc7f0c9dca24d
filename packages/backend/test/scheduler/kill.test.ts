/**
 * A backend process killed with SIGKILL in the middle of scheduled work: after a restart on the
 * same data folder every pending job runs, no scheduled mutation runs twice, and the action that
 * was running is marked failed, not re-run (actions run at most once).
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { TRANSIENT_ACTION_ERROR } from "../../src/scheduler/index.js";
import { copyFixture, pushOnce, tempDir } from "../server/fixture.js";
import { mutation, query, until, type Job, type Run } from "./support.js";

const api = anyApi;
const childScript = join(fileURLToPath(new URL(".", import.meta.url)), "backend-child.ts");
const children: ChildProcess[] = [];

function startChild(dataDir: string): Promise<{ child: ChildProcess; url: string; adminKey: string }> {
  const child = fork(childScript, [dataDir], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once("message", (m: { url: string; adminKey: string }) => resolve({ child, ...m }));
    child.once("exit", (code) => reject(new Error(`backend process exited with ${code}`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

const N = 1000;

test("kill -9 in the middle of scheduled work: nothing lost, no mutation run twice, the running action failed", async () => {
  const dataDir = await tempDir("scheduler-kill");
  const app = await copyFixture("scheduler");
  const first = await startChild(dataDir);
  await pushOnce(app, first);
  let client = new ConvexHttpClient(first.url);
  const hang = await mutation<string>(client, api.jobs.scheduleAction, { tag: "hang", hang: true });
  await until(
    () => query<Run[]>(client, api.jobs.runs, { tag: "hang" }),
    (r) => r.length === 1,
    "the hanging action to start",
  );
  await mutation(client, api.jobs.many, { prefix: "k", n: N, delayMs: 0 });
  // Kill as soon as the first jobs have run: most are still pending.
  const atKill = await until(
    () => query<Run[]>(client, api.jobs.runs, {}),
    (r) => r.some((x) => x.tag.startsWith("k")),
    "the first jobs to run",
    60_000,
  );
  await killed(first.child);
  const ranBefore = atKill.filter((x) => x.tag.startsWith("k")).length;
  assert.ok(ranBefore < N, `the kill came in the middle of the work (${ranBefore} of ${N} had run)`);
  console.log(`# ${ranBefore} of ${N} jobs had run when the backend was killed`);

  const second = await startChild(dataDir);
  client = new ConvexHttpClient(second.url);
  const jobs = await until(
    () => query<Job[]>(client, api.jobs.jobs),
    (j) => j.filter((x) => x.name === "jobs.js:record").every((x) => x.state.kind === "success"),
    "every job to finish after the restart",
    120_000,
  );
  assert.equal(jobs.filter((x) => x.name === "jobs.js:record").length, N);
  const runs = (await query<Run[]>(client, api.jobs.runs, {})).filter((r) => r.tag.startsWith("k"));
  assert.equal(runs.length, N, "every job ran exactly once");
  assert.equal(new Set(runs.map((r) => r.tag)).size, N);
  const action = jobs.find((j) => j._id === hang);
  assert.deepEqual(action?.state, { kind: "failed", error: TRANSIENT_ACTION_ERROR });
  assert.equal((await query<Run[]>(client, api.jobs.runs, { tag: "hang" })).length, 1, "the action was not run again");
  await killed(second.child);
});
