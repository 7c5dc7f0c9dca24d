/**
 * Components pushed with the official CLI: two instances of `@convex-dev/sharded-counter` from
 * npm and a local component, called from app functions. Each instance keeps its own tables, the
 * app cannot read them, clients cannot call component functions, a failing component mutation
 * rolls back only its own writes, function handles call back into the app, and bad configs are
 * refused while the previous push keeps serving.
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
import { runConvex, tempDir } from "../server/fixture.js";
import { copyComponentFixture } from "./fixture.js";

const api = anyApi;
let dataDir: string;
let app: string;
let backend: Backend;
let client: ConvexHttpClient;
const deployment = () => ({ url: backend.url, adminKey: backend.adminKey });
const start = () => startBackend({ dataDir, port: 0, sitePort: 0, logger: silentLogger });

before(async () => {
  dataDir = await tempDir("components-data");
  app = await copyComponentFixture("components", ["sharded-counter"]);
  backend = await start();
  client = new ConvexHttpClient(backend.url);
});

after(async () => {
  await backend?.close();
});

test("dev --once pushes convex.config.ts with components and generates components.* in _generated/api that typecheck", async () => {
  const r = await runConvex(app, ["dev", "--once", "--typecheck", "enable"], deployment());
  assert.equal(r.code, 0, r.output);
  const apiTypes = await readFile(join(app, "convex", "_generated", "api.d.ts"), "utf8");
  assert.match(
    apiTypes,
    /counterA: import\("@convex-dev\/sharded-counter\/_generated\/component\.js"\)\.ComponentApi<"counterA">/,
  );
  assert.match(
    apiTypes,
    /counterB: import\("@convex-dev\/sharded-counter\/_generated\/component\.js"\)\.ComponentApi<"counterB">/,
  );
  assert.match(apiTypes, /failing: import\("\.\.\/failing\/_generated\/component\.js"\)\.ComponentApi<"failing">/);
  const local = await readFile(join(app, "convex", "failing", "_generated", "component.ts"), "utf8");
  assert.match(local, /writeThenThrow/);
});

test("two instances of one component keep separate tables, apart from the app's table of the same name", async () => {
  await client.mutation(api.counters!.add!, { which: "a", name: "hits", count: 2 });
  await client.mutation(api.counters!.add!, { which: "a", name: "hits", count: 3 });
  await client.mutation(api.counters!.add!, { which: "b", name: "hits", count: 10 });
  await client.mutation(api.counters!.addLabel!, { label: "app row" });
  assert.equal(await client.query(api.counters!.count!, { which: "a", name: "hits" }), 5);
  assert.equal(await client.query(api.counters!.count!, { which: "b", name: "hits" }), 10);
  assert.deepEqual(await client.query(api.counters!.labels!, {}), ["app row"]);
});

test("a subscription to an app query that reads a component's table updates when the component writes", async () => {
  const live = new ConvexClient(backend.url, {
    skipConvexDeploymentUrlCheck: true,
    webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
    logger: false,
  });
  try {
    const seen: number[] = [];
    let wake: () => void = () => {};
    live.onUpdate(api.counters!.count!, { which: "a", name: "live" }, (n: number) => {
      seen.push(n);
      wake();
    });
    const until = (n: number) =>
      new Promise<void>((resolve) => {
        wake = () => seen.includes(n) && resolve();
        wake();
      });
    await until(0);
    await client.mutation(api.counters!.add!, { which: "a", name: "live", count: 4 });
    await until(4);
    // A write to the other instance's table of the same name does not touch this subscription's value.
    await client.mutation(api.counters!.add!, { which: "b", name: "live", count: 1 });
    await client.mutation(api.counters!.add!, { which: "a", name: "live", count: 1 });
    await until(5);
    assert.deepEqual(
      seen.filter((n, i) => seen.indexOf(n) === i),
      [0, 4, 5],
    );
  } finally {
    await live.close();
  }
});

test("a component that uses another: app -> failing -> failing/inner, with the inner counter's own table", async () => {
  assert.equal(await client.mutation(api.counters!.bumpNested!, { name: "hits" }), 1);
  assert.equal(await client.mutation(api.counters!.bumpNested!, { name: "hits" }), 2);
  assert.equal(
    await client.query(api.counters!.count!, { which: "a", name: "hits" }),
    5,
    "the app's instances are untouched",
  );
  const r = await runConvex(
    app,
    ["run", "--component", "failing/inner", "public:count", '{"name":"hits"}'],
    deployment(),
  );
  assert.equal(r.code, 0, r.output);
  assert.equal(r.stdout.trim(), "2");
});

test("an HTTP action calls a component's query", async () => {
  const res = await fetch(`${backend.siteUrl}/count?name=hits`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { count: 5 });
});

test("the app cannot read a component's documents, even by id", async () => {
  const id = (await client.mutation(api.counters!.writeInComponent!, { note: "secret" })) as string;
  assert.equal(typeof id, "string");
  assert.equal(await client.query(api.counters!.getById!, { id }), "not an app id");
  assert.equal(await client.query(api.counters!.getRaw!, { id }), null);
});

test("component functions are not reachable from clients; internal ones not even from the app", async () => {
  await assert.rejects(
    client.query("failing/lib:notes" as never, {} as never),
    /Could not find public function for 'failing\/lib:notes'/,
  );
  await assert.rejects(
    client.query("public:count" as never, { name: "hits" } as never),
    /Could not find public function/,
  );
  await assert.rejects(
    client.mutation(api.counters!.callHidden!, {}),
    /Could not find function for 'lib:hidden' in component 'failing' \(it is internal/,
  );
});

test("a component mutation that throws rolls back only its own writes when the caller catches", async () => {
  const caught = await client.mutation(api.counters!.subTransaction!, { note: "t1" });
  assert.equal(caught, "failing on purpose: t1");
  const notes = (await client.query(api.counters!.notes!, {})) as string[];
  assert.ok(notes.includes("kept t1"), "the earlier component call's write stays");
  assert.ok(!notes.includes("t1"), "the failed call's write is gone");
  const labels = (await client.query(api.counters!.labels!, {})) as string[];
  assert.ok(labels.includes("before t1") && labels.includes("after t1"), "the caller's writes around it stay");
});

test("a function handle passed into a component calls back into the app's internal mutation", async () => {
  assert.equal(await client.mutation(api.counters!.withCallback!, { note: "cb1" }), "called back with cb1");
  assert.deepEqual(await client.query(api.counters!.callbacks!, {}), ["cb1"]);
  assert.ok(
    ((await client.query(api.counters!.notes!, {})) as string[]).includes("cb1"),
    "the component's write is kept too",
  );
});

test("actions call component functions, and component actions call their own component's functions", async () => {
  const r = (await client.action(api.counters!.notesViaActions!, {})) as {
    direct: string[];
    viaComponentAction: string[];
  };
  assert.ok(r.direct.includes("kept t1"));
  assert.deepEqual(r.viaComponentAction, r.direct);
});

test("a component's action vector-searches its own table", async () => {
  const names = (await client.action(api.counters!.nearestComponentPoints!, {})) as string[];
  assert.deepEqual(names, ["east", "northeast"]);
});

test("pagination inside a component, page after page from an app query", async () => {
  const pages = (await client.query(api.counters!.allNotesPaged!, {})) as string[][];
  const flat = pages.flat();
  assert.deepEqual(flat, await client.query(api.counters!.notes!, {}));
  assert.ok(pages.length >= 2, JSON.stringify(pages));
  assert.ok(pages.every((p) => p.length <= 2));
});

test("a component sees the env vars its parent bound and the deployment's URLs, not its other variables", async () => {
  const set = await runConvex(app, ["env", "set", "DEPLOYMENT_ONLY", "app secret"], deployment());
  assert.equal(set.code, 0, set.output);
  assert.deepEqual(await client.query(api.counters!.componentEnvironment!, {}), {
    app: "app secret",
    component: {
      greeting: "hello from the app",
      deploymentVar: null,
      // Set by the deployment in every instance, as on Convex.
      cloudUrl: backend.url,
      siteUrl: backend.siteUrl,
    },
  });
});

test("npx convex run --component runs a component's function as admin", async () => {
  const r = await runConvex(app, ["run", "--component", "counterB", "public:count", '{"name":"hits"}'], deployment());
  assert.equal(r.code, 0, r.output);
  assert.equal(r.stdout.trim(), "10");
  const missing = await runConvex(app, ["run", "--component", "nope", "public:count", "{}"], deployment());
  assert.notEqual(missing.code, 0);
  assert.match(missing.output, /No component is installed at .{0,2}"nope/);
});

test("a function run in a component is logged under its component path", async () => {
  const auth = { Authorization: `Convex ${backend.adminKey}` };
  const head = (await (await fetch(`${backend.url}/api/stream_function_logs?cursor=0`, { headers: auth })).json()) as {
    newCursor: number;
  };
  const poll = fetch(`${backend.url}/api/stream_function_logs?cursor=${head.newCursor}`, { headers: auth }).then(
    (r) => r.json() as Promise<{ entries: Array<{ identifier: string; componentPath: string | null }> }>,
  );
  const r = await runConvex(app, ["run", "--component", "failing", "lib:notes", "{}"], deployment());
  assert.equal(r.code, 0, r.output);
  const got = await poll;
  assert.ok(
    got.entries.some((e) => e.identifier === "lib:notes" && e.componentPath === "failing"),
    JSON.stringify(got.entries),
  );
});

test("a push that changes only a component's code is new code: subscriptions re-run", async () => {
  const live = new ConvexClient(backend.url, {
    skipConvexDeploymentUrlCheck: true,
    webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
    logger: false,
  });
  const libPath = join(app, "convex", "failing", "lib.ts");
  const before = await readFile(libPath, "utf8");
  try {
    const seen: string[] = [];
    let wake: () => void = () => {};
    live.onUpdate(api.counters!.componentCodeVersion!, {}, (v: string) => {
      seen.push(v);
      wake();
    });
    const until = (v: string) =>
      new Promise<void>((resolve) => {
        wake = () => seen.includes(v) && resolve();
        wake();
      });
    await until("v1");
    await writeFile(libPath, before.replace('handler: async () => "v1"', 'handler: async () => "v2"'));
    const r = await runConvex(app, ["dev", "--once", "--typecheck", "disable"], deployment());
    assert.equal(r.code, 0, r.output);
    await until("v2");
  } finally {
    await live.close();
    await writeFile(libPath, before);
  }
});

test("a malformed convex.config.ts is refused and the previous push keeps serving", async () => {
  const configPath = join(app, "convex", "convex.config.ts");
  const good = await readFile(configPath, "utf8");
  try {
    await writeFile(
      configPath,
      good.replace('app.use(shardedCounter, { name: "counterB" });', 'app.use(shardedCounter, { name: "counterA" });'),
    );
    let r = await runConvex(app, ["dev", "--once", "--typecheck", "disable"], deployment());
    assert.equal(r.code, 1, r.output);
    assert.match(r.output, /InvalidComponentConfig/);
    assert.match(r.output, /installs two components named counterA/);

    await writeFile(
      configPath,
      good.replace("const app = defineApp();", 'const app = defineApp();\nif (app) throw new Error("broken config");'),
    );
    r = await runConvex(app, ["dev", "--once", "--typecheck", "disable"], deployment());
    assert.equal(r.code, 1, r.output);
    assert.match(r.output, /Failed to evaluate convex\.config\.js of the app: broken config/);

    assert.equal(await client.query(api.counters!.count!, { which: "a", name: "hits" }), 5, "still serving");
  } finally {
    await writeFile(configPath, good);
  }
});

test("after a restart the components and their data are served again", async () => {
  await backend.close();
  backend = await start();
  client = new ConvexHttpClient(backend.url);
  assert.equal(await client.query(api.counters!.count!, { which: "b", name: "hits" }), 10);
  await client.mutation(api.counters!.add!, { which: "b", name: "hits", count: 1 });
  assert.equal(await client.query(api.counters!.count!, { which: "b", name: "hits" }), 11);
});
