/**
 * HTTP actions end to end: the official CLI pushes a fixture app whose `convex/http.ts` routes are
 * then called over real HTTP on the site port (and under `/http/` on the main origin). A
 * Svix-signed Clerk-style webhook goes through a `"use node"` action that verifies it with the
 * app's own `svix` package, and the user row it writes is read back with `ConvexHttpClient`.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { symlink } from "node:fs/promises";
import { join } from "node:path";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { Webhook } from "svix";
import { silentLogger, unauthenticated } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { copyFixture, pushOnce, repoRoot, tempDir } from "../server/fixture.js";

const api = anyApi;
const SECRET = "whsec_" + Buffer.from("tandem-test-webhook-secret-32byt").toString("base64");
let backend: Backend;
let site: string;

before(async () => {
  backend = await startBackend({
    dataDir: await tempDir("http-actions"),
    port: 0,
    sitePort: 0,
    logger: silentLogger,
    // Stands in for the deployment's auth.config.ts verification (covered by the auth tests).
    authenticateUser: async (token) => {
      if (token !== "good-token") throw unauthenticated("InvalidAuthHeader", "Could not verify OIDC token claim.");
      return {
        attributes: { tokenIdentifier: "https://issuer|user_1", issuer: "https://issuer", subject: "user_1" },
        expiresAt: null,
      };
    },
  });
  site = backend.siteUrl;
  const app = await copyFixture("httpapp");
  // The app's own dependency, bundled by the CLI into its "use node" module.
  await symlink(join(repoRoot, "node_modules", "svix"), join(app, "node_modules", "svix"), "dir");
  await backend.setEnvironmentVariables({ CLERK_WEBHOOK_SECRET: SECRET, GREETING: "hi there" });
  await pushOnce(app, { url: backend.url, adminKey: backend.adminKey });
});

after(async () => {
  await backend?.close();
});

test("GET on an exact route: query string, request headers, response status and headers", async () => {
  const r = await fetch(`${site}/hello?name=ada`, { headers: { "X-Custom": "seen" } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("content-type"), "text/plain");
  assert.equal(r.headers.get("x-seen-header"), "seen");
  assert.equal(await r.text(), "hello ada via /hello");
  assert.equal(r.headers.get("access-control-allow-origin"), null, "no CORS header the app did not write");
});

test("the main origin serves the same routes under /http/", async () => {
  const r = await fetch(`${backend.url}/http/hello?name=bo`);
  assert.equal(r.status, 200);
  assert.equal(await r.text(), "hello bo via /hello");
});

test("POST with a JSON body: the app's status, CORS headers and each Set-Cookie come back as written", async () => {
  const r = await fetch(`${site}/echo`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Origin: "https://elsewhere.example.com" },
    body: JSON.stringify({ a: [1, 2], b: "x" }),
  });
  assert.equal(r.status, 201);
  assert.deepEqual(await r.json(), { got: { a: [1, 2], b: "x" }, method: "POST" });
  assert.equal(r.headers.get("access-control-allow-origin"), "https://app.example.com");
  assert.equal(r.headers.get("access-control-allow-credentials"), null);
  assert.deepEqual(r.headers.getSetCookie(), ["a=1", "b=2"]);
});

test("a CORS preflight is answered by the app's OPTIONS route", async () => {
  const r = await fetch(`${site}/echo`, {
    method: "OPTIONS",
    headers: {
      Origin: "https://app.example.com",
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "content-type",
    },
  });
  assert.equal(r.status, 204);
  assert.equal(r.headers.get("access-control-allow-origin"), "https://app.example.com");
  assert.equal(r.headers.get("access-control-allow-methods"), "POST, OPTIONS");
  assert.equal(r.headers.get("access-control-allow-headers"), "Content-Type, Authorization");
  assert.equal(r.headers.get("access-control-max-age"), "600");
});

test("PUT, PATCH and DELETE reach their routes with their bodies", async () => {
  for (const method of ["PUT", "PATCH", "DELETE"]) {
    const r = await fetch(`${site}/any`, { method, body: `${method.toLowerCase()} body` });
    assert.equal(r.status, 200);
    assert.equal(await r.text(), `${method} ${method.toLowerCase()} body`);
  }
});

test("HEAD is routed as GET and answers headers without a body", async () => {
  const r = await fetch(`${site}/hello?name=h`, { method: "HEAD", headers: { "X-Custom": "head" } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("x-seen-header"), "head");
  assert.equal(await r.text(), "");
});

test("a request body over 20 MiB fails the action that reads it", async () => {
  const r = await fetch(`${site}/any`, { method: "PUT", body: new Uint8Array(20 * 1024 * 1024 + 1) });
  assert.equal(r.status, 500);
  assert.match(((await r.json()) as { trace: string }).trace, /request body is too large \(limit: 20 MiB\)/);
  const ok = await fetch(`${site}/any`, { method: "PUT", body: "small" });
  assert.equal(await ok.text(), "PUT small");
});

test("request and response bodies stream", async () => {
  const encoder = new TextEncoder();
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 4) return controller.close();
      sent += 1;
      controller.enqueue(encoder.encode("x".repeat(1000)));
    },
  });
  const r = await fetch(`${site}/stream`, { method: "POST", body, duplex: "half" } as RequestInit);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("content-length"), null, "the body is streamed, not buffered with a length");
  assert.equal(r.headers.get("x-chunks-read"), "true");
  const reader = r.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  assert.equal(text, "part 0 of 4000 bytes;part 1 of 4000 bytes;part 2 of 4000 bytes;");
});

test("a response part reaches the client while the action is still producing the rest", async () => {
  const r = await fetch(`${site}/stream-gate?gate=g1`);
  assert.equal(r.status, 200);
  const reader = r.body!.getReader();
  const decoder = new TextDecoder();
  const first = await reader.read();
  assert.equal(decoder.decode(first.value), "first;", "the first part came before the gate opened");
  // Only now can the action finish: it waits for this mutation.
  await new ConvexHttpClient(backend.url).mutation(api.gates!.open!, { name: "g1" });
  let rest = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    rest += decoder.decode(value, { stream: true });
  }
  assert.equal(rest, "second");
});

test("the response head reaches the client before the body's first part exists", async () => {
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error("the head waited for the body")), 10_000).unref(),
  );
  const r = await Promise.race([fetch(`${site}/head-first?gate=g2`), timeout]);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("x-head"), "sent");
  await new ConvexHttpClient(backend.url).mutation(api.gates!.open!, { name: "g2" });
  assert.equal(await r.text(), "after the gate");
});

test("a Response with a body and status 205 (or 204) can be built and returned, as in Convex", async () => {
  const r = await fetch(`${site}/reset-content`, { method: "POST" });
  assert.equal(r.status, 205);
  assert.deepEqual(JSON.parse(r.headers.get("x-inside")!), { status: 205, ok: true, clone: 205, noContent: 204 });
});

test("pathPrefix routes match below the prefix; an exact route wins over a prefix", async () => {
  const r = await fetch(`${site}/files/a/b.txt`);
  assert.equal(await r.text(), "file /files/a/b.txt");
  const exact = await fetch(`${site}/files/exact`);
  assert.equal(await exact.text(), "exact wins");
});

test("unrouted paths and methods get Convex's 404 text", async () => {
  for (const [path, method] of [
    ["/nope", "GET"],
    ["/hello", "POST"],
    ["/", "GET"],
    ["/files/x", "DELETE"],
  ] as const) {
    const r = await fetch(`${site}${path}`, { method });
    assert.equal(r.status, 404, `${method} ${path}`);
    assert.equal(await r.text(), "No matching routes found");
  }
});

test("an uncaught error is a 500 with Convex's code and trace; a ConvexError adds its data", async () => {
  const logged: { kind: string; identifier: string; error: string | null }[] = [];
  const stop = backend.engine.onExecution((l) => logged.push(l));
  const r = await fetch(`${site}/boom`);
  stop();
  assert.deepEqual(
    logged.map((l) => [l.kind, l.identifier, l.error?.split("\n")[0]]),
    [["httpAction", "GET /boom", "Uncaught Error: boom"]],
    "the failure reaches the function log (npx convex logs)",
  );
  assert.equal(r.status, 500);
  const body = (await r.json()) as { code: string; trace: string; data?: unknown };
  assert.match(body.code, /^\[Request ID: [0-9a-f]{16}\] Server Error: Uncaught Error: boom$/);
  assert.match(body.trace, /^Uncaught Error: boom/);
  assert.equal("data" in body, false);
  const c = await fetch(`${site}/convex-error`);
  assert.equal(c.status, 500);
  const cb = (await c.json()) as { code: string; data?: unknown };
  assert.match(cb.code, /Server Error: Uncaught ConvexError: \{"code":42\}$/);
  assert.deepEqual(cb.data, { code: 42 });
});

test('process.env holds the deployment\'s variables in HTTP actions and in "use node" modules, at load and run time', async () => {
  const r = await fetch(`${site}/env`);
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), {
    runtime: "hi there",
    fromNode: { secretSetAtLoad: true, greeting: "hi there", node: "string", oneRealm: true, serverEnvHidden: true },
    site,
  });
  await backend.setEnvironmentVariables({ GREETING: "changed" });
  const again = (await (await fetch(`${site}/env`)).json()) as { runtime: string; fromNode: { greeting: string } };
  assert.equal(again.runtime, "changed");
  assert.equal(again.fromNode.greeting, "changed");
});

test("ctx.auth sees the bearer token's user; an invalid token does not stop the action but getUserIdentity() throws", async () => {
  const anon = await fetch(`${site}/whoami`);
  assert.deepEqual(await anon.json(), { subject: null });
  const good = await fetch(`${site}/whoami`, { headers: { Authorization: "Bearer good-token" } });
  assert.deepEqual(await good.json(), { subject: "user_1" });
  const bad = await fetch(`${site}/whoami`, { headers: { Authorization: "Bearer not-a-jwt" } });
  assert.equal(bad.status, 401);
  assert.deepEqual(await bad.json(), { authError: "Could not verify OIDC token claim." });
});

test('a Svix-signed Clerk webhook is verified in a "use node" action and writes a user row', async () => {
  const event = { type: "user.created", data: { id: "user_2abc", first_name: "Ada" }, object: "event" };
  const payload = JSON.stringify(event);
  const id = "msg_" + Math.random().toString(36).slice(2);
  const when = new Date();
  const signature = new Webhook(SECRET).sign(id, when, payload);
  const headers = {
    "Content-Type": "application/json",
    "svix-id": id,
    "svix-timestamp": String(Math.floor(when.getTime() / 1000)),
    "svix-signature": signature,
  };
  const tampered = await fetch(`${site}/clerk-users-webhook`, {
    method: "POST",
    headers,
    body: payload.replace("Ada", "Eve"),
  });
  assert.equal(tampered.status, 400);
  assert.equal(await tampered.text(), "Error occured");

  const r = await fetch(`${site}/clerk-users-webhook`, { method: "POST", headers, body: payload });
  assert.equal(r.status, 200, await r.clone().text());
  assert.deepEqual(await r.json(), { count: 1 });

  const client = new ConvexHttpClient(backend.url);
  const row = (await client.query(api.users!.byClerkId!, { clerkId: "user_2abc" })) as {
    clerkId: string;
    name: string;
  } | null;
  assert.equal(row?.name, "Ada");
  assert.equal(await client.query(api.users!.count!, {}), 1);
});

test("the same webhook verified with svix bundled into http.ts itself (Convex's Clerk guide)", async () => {
  const payload = JSON.stringify({ type: "user.updated", data: { id: "user_inline", first_name: "Linus" } });
  const when = new Date();
  const headers = {
    "svix-id": "msg_inline",
    "svix-timestamp": String(Math.floor(when.getTime() / 1000)),
    "svix-signature": new Webhook(SECRET).sign("msg_inline", when, payload),
  };
  const bad = await fetch(`${site}/clerk-webhook-inline`, {
    method: "POST",
    headers: { ...headers, "svix-signature": "v1,AAAA" },
    body: payload,
  });
  assert.equal(bad.status, 400);
  const r = await fetch(`${site}/clerk-webhook-inline`, { method: "POST", headers, body: payload });
  assert.equal(r.status, 200, await r.clone().text());
  const client = new ConvexHttpClient(backend.url);
  const row = (await client.query(api.users!.byClerkId!, { clerkId: "user_inline" })) as { name: string } | null;
  assert.equal(row?.name, "Linus");
});
