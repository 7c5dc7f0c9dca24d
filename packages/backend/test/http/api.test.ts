/**
 * The HTTP API against a pushed app (docs/http-api.md): `ConvexHttpClient` and curl-style requests,
 * value formats, auth headers, CORS, meta routes, log streaming, and bad input that gets a
 * precise error while the server keeps serving everyone else.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { copyFixture, pushOnce, tempDir } from "../server/fixture.js";
import { startTestIssuer, type TestIssuer } from "./issuer.js";

const api = anyApi;
let backend: Backend;
let issuer: TestIssuer;
let channel: string;

before(async () => {
  issuer = await startTestIssuer();
  backend = await startBackend({
    dataDir: await tempDir("http-data"),
    port: 0,
    sitePort: 0,
    logger: silentLogger,
    adminKey: "test-admin:key",
  });
  await backend.setEnvironmentVariables({ TEST_ISSUER_DOMAIN: issuer.url });
  await pushOnce(await copyFixture("multi"), { url: backend.url, adminKey: backend.adminKey });
  channel = (await new ConvexHttpClient(backend.url).mutation(api.channels!.create!, { name: "general" })) as string;
});

after(async () => {
  await backend?.close();
  await issuer?.close();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${backend.url}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

async function healthy(): Promise<void> {
  const r = await post("/api/query", { path: "channels:list", args: {}, format: "json" });
  assert.equal(r.status, 200);
  assert.equal(r.body.status, "success");
}

test("malformed JSON is a 400 BadJsonBody and the server keeps serving", async () => {
  const r = await post("/api/mutation", "{not json");
  assert.equal(r.status, 400);
  assert.equal(r.body.code, "BadJsonBody");
  assert.match(String(r.body.message), /^Failed to parse the request body as JSON/);
  const noPath = await post("/api/query", { args: {} });
  assert.equal(noPath.status, 400);
  assert.equal(noPath.body.code, "BadJsonBody");
  await healthy();
});

test("an unknown or internal function is a function error naming it", async () => {
  for (const path of ["nope:x", "messages:clearAll"]) {
    const r = await post("/api/mutation", { path, args: {}, format: "json" });
    assert.equal(r.status, 200);
    assert.equal(r.body.status, "error");
    assert.match(
      String(r.body.errorMessage),
      /^\[Request ID: [0-9a-f]{16}\] Server Error\nCould not find public function for '/,
    );
    assert.ok(!("errorData" in r.body), "errorData only for ConvexError");
  }
  await healthy();
});

test("wrong argument types and invalid ids fail argument validation with Convex's text", async () => {
  const wrong = await post("/api/mutation", { path: "channels:create", args: { name: 42 }, format: "json" });
  assert.equal(wrong.body.status, "error");
  assert.match(
    String(wrong.body.errorMessage),
    /ArgumentValidationError: Value does not match validator\.\nPath: \.name\nValue: 42\.0\nValidator: v\.string\(\)/,
  );
  const badId = await post("/api/query", { path: "messages:get", args: { id: "not-an-id" }, format: "json" });
  assert.match(
    String(badId.body.errorMessage),
    /ArgumentValidationError: Value does not match validator\.\nPath: \.id\nValue: "not-an-id"\nValidator: v\.id\("messages"\)/,
  );
  const otherTable = await post("/api/query", { path: "messages:get", args: { id: channel }, format: "json" });
  assert.match(
    String(otherTable.body.errorMessage),
    /from table `channels`, which does not match the table name in validator `v\.id\("messages"\)`/,
  );
  const notObject = await post("/api/query", { path: "channels:list", args: 5 });
  assert.equal(notObject.status, 400);
  assert.equal(notObject.body.code, "InvalidArgs");
  await healthy();
});

function rawPost(path: string, bytes: number, chunked: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, backend.url);
    const req = request(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(chunked ? {} : { "Content-Length": String(bytes) }) },
    });
    req.on("response", (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    const chunk = Buffer.alloc(1 << 20, 0x20);
    let left = bytes;
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!req.write(chunk.subarray(0, n))) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

test("a body over 16 MiB + 2000 B is refused with 413 and a JSON error", async () => {
  for (const chunked of [false, true]) {
    const r = await rawPost("/api/mutation", 16 * 1024 * 1024 + 2001, chunked);
    assert.equal(r.status, 413, `chunked=${chunked}`);
    assert.equal((JSON.parse(r.body) as { code: string }).code, "PayloadTooLarge");
  }
  await healthy();
});

test("ConvexError data reaches ConvexHttpClient; a thrown Error does not carry errorData", async () => {
  const r = await post("/api/mutation", {
    path: "messages:send",
    args: [{ channel, author: "a", body: "" }],
    format: "convex_encoded_json",
  });
  assert.equal(r.body.status, "error");
  assert.deepEqual(r.body.errorData, { code: "EMPTY", message: "empty message" });
  const thrown = await post("/api/query", { path: "messages:fail", args: {} });
  assert.match(String(thrown.body.errorMessage), /Server Error\nUncaught Error: boom/);
  assert.ok(!("errorData" in thrown.body));
});

test("value formats: convex_encoded_json, clean json, export_json", async () => {
  const encoded = await post("/api/query", { path: "values:samples", args: {}, format: "convex_encoded_json" });
  const v = encoded.body.value as Record<string, unknown>;
  assert.deepEqual(Object.keys(v.big as object), ["$integer"]);
  assert.deepEqual(v.bytes, { $bytes: "AQID" });
  const clean = await post("/api/query", { path: "values:samples", args: {}, format: "json" });
  assert.deepEqual(clean.body.value, {
    big: "12345678901234567",
    bytes: "AQID",
    nan: "NaN",
    text: "plain",
    nested: [{ n: "-1" }],
  });
  const res = await fetch(`${backend.url}/api/query`, {
    method: "POST",
    body: JSON.stringify({ path: "values:samples", args: {}, format: "export_json" }),
  });
  const text = await res.text();
  assert.match(text, /"big":12345678901234567[,}]/, "int64 as a bare JSON number, digits intact");
  assert.match(text, /"bytes":\{"\$bytes":"AQID"\}/);
  const bad = await post("/api/query", { path: "values:samples", args: {}, format: "yaml" });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.code, "BadFormat");
});

test("GET /api/query, /api/run/<mod>/<fn>, /api/query_batch and consistent queries at a timestamp", async () => {
  const get = await fetch(
    `${backend.url}/api/query?path=channels:byName&args=${encodeURIComponent('{"name":"general"}')}&format=json`,
  );
  assert.equal(((await get.json()) as { value: { name: string } }).value.name, "general");
  const run = await post("/api/run/channels/byName", { args: { name: "general" } });
  assert.equal((run.body.value as { name: string }).name, "general");
  const batch = await post("/api/query_batch", {
    queries: [
      { path: "channels:list", args: {}, format: "json" },
      { path: "nope:x", args: {}, format: "json" },
    ],
  });
  const results = batch.body.results as Array<{ status: string }>;
  assert.deepEqual(
    results.map((r) => r.status),
    ["success", "error"],
  );
  const client = new ConvexHttpClient(backend.url);
  const before = (await client.consistentQuery(api.channels!.list!, {})) as unknown[];
  await client.mutation(api.channels!.create!, { name: "later" });
  const ts = await post("/api/query_ts", "");
  assert.match(String(ts.body.ts), /^[A-Za-z0-9+/]{11}=$/);
  const now = (await client.query(api.channels!.list!, {})) as unknown[];
  assert.equal(now.length, before.length + 1);
});

test("Authorization: a real issuer's token is verified; a bad one gets a 401 JSON body", async () => {
  const token = await issuer.sign({ sub: "user_42", name: "Grace" });
  const client = new ConvexHttpClient(backend.url);
  client.setAuth(token);
  assert.deepEqual(await client.query(api.users!.whoami!, {}), {
    subject: "user_42",
    issuer: issuer.url,
    name: "Grace",
  });
  const forged = token.slice(0, -4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
  const r = await post("/api/query", { path: "users:whoami", args: {} }, { Authorization: `Bearer ${forged}` });
  assert.equal(r.status, 401);
  assert.equal(typeof r.body.code, "string");
  assert.equal(typeof r.body.message, "string");
  const wrongAud = await issuer.sign({ sub: "u" }, { audience: "someone-else" });
  assert.equal(
    (await post("/api/query", { path: "users:whoami", args: {} }, { Authorization: `Bearer ${wrongAud}` })).status,
    401,
  );
  const scheme = await post("/api/query", { path: "users:whoami", args: {} }, { Authorization: "Basic abc" });
  assert.equal(scheme.status, 401);
  assert.equal(scheme.body.code, "InvalidAuthHeader");
  await healthy();
});

test("admin auth: /api/function runs internal functions, impersonates, and refuses non-admins", async () => {
  const key = backend.adminKey;
  assert.ok(key.includes(":"), "an opaque key may itself contain ':'");
  const asAdmin = await post(
    "/api/function",
    { path: "messages:clearAll", args: {}, format: "json" },
    { Authorization: `Convex ${key}` },
  );
  assert.equal(asAdmin.body.status, "success");
  const identity = Buffer.from(JSON.stringify({ subject: "imp", issuer: "https://x.test", name: "Imp" })).toString(
    "base64",
  );
  const imp = await post(
    "/api/query",
    { path: "users:whoami", args: {}, format: "json" },
    { Authorization: `Convex ${key}:${identity}` },
  );
  assert.deepEqual(imp.body.value, { subject: "imp", issuer: "https://x.test", name: "Imp" });
  const anon = await post("/api/function", { path: "channels:list", args: {} });
  assert.equal(anon.status, 403);
  const badKey = await post("/api/function", { path: "channels:list", args: {} }, { Authorization: "Convex wrong" });
  assert.equal(badKey.status, 401);
  assert.equal(badKey.body.code, "BadAdminKey");
});

test("CORS: preflight and responses mirror the origin", async () => {
  const pre = await fetch(`${backend.url}/api/query`, {
    method: "OPTIONS",
    headers: {
      Origin: "http://app.test",
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "content-type,convex-client",
    },
  });
  assert.equal(pre.status, 200);
  assert.equal(pre.headers.get("access-control-allow-origin"), "http://app.test");
  assert.equal(pre.headers.get("access-control-allow-credentials"), "true");
  assert.equal(pre.headers.get("access-control-allow-headers"), "content-type,convex-client");
  assert.match(pre.headers.get("access-control-allow-methods") ?? "", /POST/);
  const r = await post("/api/query", { path: "channels:list", args: {} }, { Origin: "http://app.test" });
  assert.equal(r.headers.get("access-control-allow-origin"), "http://app.test");
});

test("meta routes: /, /version, /instance_name, /echo, /api/debug_event, unknown paths", async () => {
  assert.match(await (await fetch(`${backend.url}/`)).text(), /This Convex deployment is running/);
  assert.match(await (await fetch(`${backend.url}/version`)).text(), /^tandem-/);
  assert.equal(await (await fetch(`${backend.url}/instance_name`)).text(), "tandem");
  assert.equal(await (await fetch(`${backend.url}/echo`, { method: "POST", body: "ping" })).text(), "ping");
  assert.equal((await fetch(`${backend.url}/api/debug_event`, { method: "POST", body: '{"event":"x"}' })).status, 200);
  const missing = await fetch(`${backend.url}/api/nothing`);
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as { code: string }).code, "NotFound");
});

test("stream_function_logs: cursor=0 answers at once, then a long poll wakes on the next execution", async () => {
  const auth = { Authorization: `Convex ${backend.adminKey}` };
  // cursor=0 answers with what the buffer holds and the head cursor, without waiting.
  const head = (await (await fetch(`${backend.url}/api/stream_function_logs?cursor=0`, { headers: auth })).json()) as {
    entries: unknown[];
    newCursor: number;
  };
  assert.ok(Array.isArray(head.entries) && head.newCursor > 0, JSON.stringify(head));
  const poll = fetch(`${backend.url}/api/stream_function_logs?cursor=${head.newCursor}`, { headers: auth }).then(
    (r) =>
      r.json() as Promise<{
        entries: Array<{ identifier: string; logLines: string[]; udfType: string }>;
        newCursor: number;
      }>,
  );
  // Whether the poll is already held or arrives after the execution, it answers with it.
  await post("/api/query", { path: "values:log", args: { text: "hi there" } });
  const got = await poll;
  const entry = got.entries.find((e) => e.identifier === "values:log");
  assert.ok(entry, JSON.stringify(got));
  assert.equal(entry.udfType, "Query");
  assert.ok(
    entry.logLines.some((l) => String(l).includes("hi there")),
    JSON.stringify(entry.logLines),
  );
  assert.ok(got.newCursor > head.newCursor, "cursor advances");
});

test("many concurrent good and bad requests: every one gets its own answer", async () => {
  const client = new ConvexHttpClient(backend.url);
  const jobs: Promise<unknown>[] = [];
  for (let i = 0; i < 40; i++) {
    jobs.push(
      client.mutation(api.messages!.send!, { channel, author: `w${i % 4}`, body: `m${i}` }, { skipQueue: true }),
    );
    jobs.push(post("/api/mutation", "{oops").then((r) => assert.equal(r.status, 400)));
    jobs.push(post("/api/query", { path: "nope:y", args: {} }).then((r) => assert.equal(r.body.status, "error")));
  }
  await Promise.all(jobs);
  const all = (await client.query(api.messages!.list!, { channel })) as unknown[];
  assert.equal(all.length, 40);
});
