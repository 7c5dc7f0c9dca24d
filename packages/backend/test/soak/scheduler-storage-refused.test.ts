/**
 * A scheduled mutation whose commit the machine refuses (full disk, read-only folder) has not run:
 * it stays pending and is tried again a little later, instead of being marked failed and lost. The refusal is injected into the storage (no root needed); the disk-full test covers the
 * real filesystem.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { TandemError, silentLogger } from "@tandem/shared";
import { openSqliteStorage, WRITE_REFUSED, type CommitRequest, type Storage } from "@tandem/storage";
import { startBackend, type Backend } from "../../src/server/index.js";
import { ManualClock } from "../../src/scheduler/index.js";
import { copyFixture, pushOnce, tempDir } from "../server/fixture.js";
import { mutation, query, until, type Job, type Run } from "../scheduler/support.js";

const api = anyApi;
const HOUR = 3_600_000;
let backend: Backend;
let clock: ManualClock;
let client: ConvexHttpClient;
/** While true, the next commit that writes into `runs` (the scheduled mutation's) is refused like on a full disk. */
let refuse = false;
let refused = 0;

function refusing(storage: Storage): Storage {
  const writesRuns = (r: CommitRequest) => (r.prepared ? r.prepared.writes : r.writes).some((w) => w.table === "runs");
  return new Proxy(storage, {
    get(target, prop, receiver) {
      if (prop === "commitMany")
        return async (requests: readonly CommitRequest[], ...rest: unknown[]) => {
          if (refuse && requests.some(writesRuns)) {
            refused++;
            refuse = false; // one refusal: space came back right after
            throw new TandemError(
              "Unavailable",
              "StorageFull",
              `${WRITE_REFUSED}: the disk holding the data folder is full. Writes resume once space is freed.`,
            );
          }
          return (target.commitMany as (...a: unknown[]) => unknown)(requests, ...rest);
        };
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

before(async () => {
  const dataDir = await tempDir("scheduler-refused");
  clock = new ManualClock();
  const storage = refusing(await openSqliteStorage({ path: join(dataDir, "db.sqlite3") }));
  backend = await startBackend({ dataDir, port: 0, sitePort: 0, logger: silentLogger, clock, storage });
  client = new ConvexHttpClient(backend.url);
  await pushOnce(await copyFixture("scheduler"), backend);
});

after(async () => {
  await backend?.close();
});

test("a scheduled mutation whose commit the disk refused is run again, not marked failed", async () => {
  const id = await mutation<string>(client, api.jobs.later, { tag: "refused", delayMs: HOUR });
  refuse = true;
  clock.advance(HOUR);
  await until(
    async () => refused,
    (n) => n === 1,
    "the job's commit to be refused",
    30_000,
  );
  const done = await until(
    () => query<Job | null>(client, api.jobs.job, { id }),
    (j) => j?.state.kind !== "pending",
    "the job to finish",
    30_000,
  );
  assert.equal(done?.state.kind, "success", "the refused run was retried (before the fix: marked failed, never run)");
  assert.equal((await query<Run[]>(client, api.jobs.runs, { tag: "refused" })).length, 1, "and ran exactly once");
});
