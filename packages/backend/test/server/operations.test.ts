/**
 * Operating a backend (docs/operations.md): `/health` and `/ready`, Prometheus `/metrics`, and a
 * drain that lets an in-flight mutation finish while a ConvexClient moves to the restarted server.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { copyFixture, pushOnce, tempDir } from "./fixture.js";

const api = anyApi;
let backend: Backend;
let dataDir: string;
let app: string;

const start = (port = 0) =>
  startBackend({ dataDir, port, sitePort: 0, logger: silentLogger, adminKey: "ops-test|admin-key" });

before(async () => {
  dataDir = await tempDir("ops");
  backend = await start();
  app = await copyFixture("ops");
  await pushOnce(app, { url: backend.url, adminKey: backend.adminKey });
});

after(async () => {
  await backend?.close();
});

/** Prometheus text format: `name{labels} value` lines, comments skipped; throws on any other line. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    assert.ok(m, `not a Prometheus sample line: ${line}`);
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}

async function metrics(b: Backend): Promise<Map<string, number>> {
  const res = await fetch(`${b.url}/metrics`, { headers: { Authorization: `Bearer ${b.adminKey}` } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
  return parseMetrics(await res.text());
}

/** Resolves with the first value `client` reports for `texts` that satisfies `ok`. */
function watchTexts(client: ConvexClient, ok: (texts: string[]) => boolean): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("subscription never matched")), 30_000);
    const unsubscribe = client.onUpdate(api.notes!.texts!, {}, (texts: string[]) => {
      if (!ok(texts)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(texts);
    });
  });
}

test("/health and /ready answer 200 while serving", async () => {
  const health = await fetch(`${backend.url}/health`);
  assert.equal(health.status, 200);
  assert.equal(await health.text(), "OK");
  const ready = await fetch(`${backend.url}/ready`);
  assert.equal(ready.status, 200);
  assert.equal(await ready.text(), "ready");
  assert.equal(backend.state, "ready");
});

test("/metrics needs the admin key, parses as Prometheus text, and its counts move", async () => {
  assert.equal((await fetch(`${backend.url}/metrics`)).status, 401);
  assert.equal((await fetch(`${backend.url}/metrics`, { headers: { Authorization: "Bearer wrong" } })).status, 401);

  const client = new ConvexClient(backend.url);
  const held = client.onUpdate(api.notes!.texts!, {}, () => {});
  try {
    await watchTexts(client, () => true);
    const before = await metrics(backend);
    const shown = JSON.stringify([...before]);
    assert.equal(before.get("tandem_sync_connections"), 1, shown);
    assert.ok((before.get("tandem_subscriptions") ?? 0) >= 1, shown);
    assert.equal(before.get("tandem_ready"), 1, shown);
    const seen = watchTexts(client, (t) => t.includes("counted"));
    await new ConvexHttpClient(backend.url).mutation(api.notes!.add!, { text: "counted" });
    await seen;
    const later = await metrics(backend);
    const moved = (name: string) => (later.get(name) ?? 0) - (before.get(name) ?? 0);
    assert.ok(moved("tandem_commits_total") >= 1, "commits counted");
    assert.equal(moved('tandem_function_executions_total{kind="mutation",outcome="success"}'), 1);
    assert.equal(moved('tandem_function_duration_seconds_count{kind="mutation"}'), 1);
    assert.ok(moved('tandem_function_duration_seconds_count{kind="query"}') >= 1, "the subscription re-ran");
    assert.equal(later.get("tandem_scheduled_jobs_backlog"), 0);
  } finally {
    held();
    await client.close();
  }
});

test("drain: /ready turns 503, an in-flight mutation completes, the ConvexClient reconnects to the restarted server", async () => {
  const port = Number(new URL(backend.url).port);
  const client = new ConvexClient(backend.url);
  try {
    await watchTexts(client, () => true);
    // A mutation request whose body is still arriving when the drain starts: in flight, by construction.
    const body = JSON.stringify({ path: "notes:add", args: { text: "in flight" }, format: "json" });
    const half = Math.floor(body.length / 2);
    const req = request(`${backend.url}/api/mutation`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Content-Length": String(body.length) },
    });
    const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
      req.on("response", (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on("error", reject);
    });
    req.write(body.slice(0, half));
    for (;;) {
      if (((await metrics(backend)).get('tandem_in_flight{what="requests"}') ?? 0) >= 2) break;
    }
    const drained = backend.drain(10_000);
    assert.equal(backend.state, "draining");
    const ready = await fetch(`${backend.url}/ready`);
    assert.equal(ready.status, 503);
    assert.equal(await ready.text(), "draining");
    assert.equal((await fetch(`${backend.url}/version`)).status, 503, "new work is refused while draining");
    req.end(body.slice(half));
    const reply = await answered;
    assert.equal(reply.status, 200, reply.text);
    assert.equal(
      (JSON.parse(reply.text) as { status: string }).status,
      "success",
      "the in-flight mutation finished and answered",
    );
    await drained;
    await assert.rejects(fetch(`${backend.url}/health`), "the port is closed after the drain");

    backend = await start(port);
    await new ConvexHttpClient(backend.url).mutation(api.notes!.add!, { text: "after restart" });
    const texts = await watchTexts(client, (t) => t.includes("after restart"));
    assert.ok(texts.includes("in flight"), `the drained mutation was kept: ${JSON.stringify(texts)}`);
  } finally {
    await client.close();
  }
});
