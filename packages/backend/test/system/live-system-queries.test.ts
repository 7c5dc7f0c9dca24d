/**
 * The data browser's system queries have read sets: subscribed to over the WebSocket by the
 * official `ConvexClient` (admin auth), they are re-run by a commit that writes into what they
 * read — a client's insert, a new table — and not by one that writes elsewhere.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { copyFixture, pushOnce, runConvex, tempDir } from "../server/fixture.js";
import { startTestIssuer, type TestIssuer } from "../http/issuer.js";

type Doc = { _id: string; text: string } & Record<string, unknown>;
const q = (name: string) => makeFunctionReference<"query">(name);
const m = (name: string) => makeFunctionReference<"mutation">(name);
const addTask = makeFunctionReference<"mutation", { text: string }, string>("tasks:add");

let backend: Backend;
let issuer: TestIssuer;
let admin: ConvexHttpClient;

before(async () => {
  issuer = await startTestIssuer();
  backend = await startBackend({ dataDir: await tempDir("sysfns-live"), port: 0, sitePort: 0, logger: silentLogger });
  const deployment = { url: backend.url, adminKey: backend.adminKey };
  const app = await copyFixture("dashboard");
  const set = await runConvex(app, ["env", "set", "TEST_ISSUER", issuer.url], deployment);
  assert.equal(set.code, 0, set.output);
  await pushOnce(app, deployment);
  admin = new ConvexHttpClient(backend.url, { skipConvexDeploymentUrlCheck: true, logger: false });
  (admin as unknown as { setAdminAuth(key: string): void }).setAdminAuth(backend.adminKey);
});

after(async () => {
  await backend?.close();
  await issuer?.close();
});

/** Every value a subscription delivered, newest last. */
class Watched<T> {
  readonly values: T[] = [];
  get latest(): T | undefined {
    return this.values[this.values.length - 1];
  }
  async until(ok: (v: T) => boolean, what: string, ms = 10_000): Promise<T> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const v = this.latest;
      if (v !== undefined && ok(v)) return v;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(this.latest)}`);
  }
}

test("table list, sizes, pages and documents update live, and only when what they read changes", async (t) => {
  const ws = new ConvexClient(backend.url, {
    skipConvexDeploymentUrlCheck: true,
    webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
    logger: false,
  });
  t.after(() => ws.close());
  (ws as unknown as { setAdminAuth(key: string): void }).setAdminAuth(backend.adminKey);
  const first = await admin.mutation(addTask, { text: "first" });

  const watch = <T>(path: string, args: Record<string, unknown>): Watched<T> => {
    const w = new Watched<T>();
    ws.onUpdate(q(path), args, (v) => void w.values.push(v as T));
    return w;
  };
  const mapping = watch<Record<string, string>>("_system/frontend/getTableMapping", {});
  const size = watch<number>("_system/frontend/tableSize", { tableName: "tasks" });
  const notesSize = watch<number>("_system/frontend/tableSize", { tableName: "notes" });
  const page = watch<{ page: Doc[] }>("_system/frontend/paginatedTableDocuments", {
    table: "tasks",
    paginationOpts: { cursor: null, numItems: 2 },
    filters: null,
  });
  const scan = watch<Doc[]>("_system/frontend/listTableScan", { table: "tasks", limit: 10 });
  const byId = watch<Doc | null>("_system/frontend/getById", { id: first });
  await size.until((n) => n === 1, "the first size");
  await page.until((p) => p.page.length === 1, "the first page");
  await scan.until((d) => d.length === 1, "the first scan");
  await byId.until((d) => d?.text === "first", "the first document");
  await notesSize.until((n) => n === 0, "the notes size");
  await mapping.until((x) => Object.values(x).includes("tasks"), "the table list");

  // A client's insert re-runs every query that read the tasks table.
  await admin.mutation(addTask, { text: "second" });
  await size.until((n) => n === 2, "the size after an insert");
  await page.until((p) => p.page[0]?.text === "second", "the page after an insert");
  await scan.until((d) => d[0]?.text === "second", "the scan after an insert");
  await admin.mutation(addTask, { text: "third" });
  await page.until((p) => p.page.map((d) => d.text).join() === "third,second", "the newest two");

  // The first note creates the notes table: the table list and its size (read before it existed) follow.
  await admin.mutation(m("_system/frontend/addDocument"), { table: "notes", documents: [{ text: "a note" }] });
  await mapping.until((x) => Object.values(x).includes("notes"), "the notes table in the list");
  await notesSize.until((n) => n === 1, "the notes size after the first note");

  // A write elsewhere (another table; a document the page does not show) re-runs none of them.
  const counts = () => [page.values.length, byId.values.length, mapping.values.length];
  const before = counts();
  await admin.mutation(m("_system/frontend/addDocument"), { table: "notes", documents: [{ text: "elsewhere" }] });
  await notesSize.until((n) => n === 2, "the notes size after an insert");
  await admin.mutation(m("_system/frontend/replaceDocument"), {
    id: first,
    document: { text: "first, edited", done: true },
  });
  await byId.until((d) => d?.text === "first, edited", "the edited document");
  await scan.until((d) => d.some((x) => x.text === "first, edited"), "the scan after the edit");
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(counts(), [before[0], before[1]! + 1, before[2]], "only getById re-ran for the edit");
});
