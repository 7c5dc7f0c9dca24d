/** The dashboard server without a browser: every API route refuses requests without the admin key; headers; login links. */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { ConvexClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startDashboard } from "@tandem/dashboard";
import { ADMIN_KEY, startStack, type Stack } from "./harness.js";

let stack: Stack;
before(async () => {
  // These tests send many wrong keys on purpose; the limiter has its own test below.
  stack = await startStack({ failureLimit: { max: 1000, windowMs: 60_000 } });
});
after(() => stack?.stop());

const routes: Array<[string, string, unknown?]> = [
  ["GET", "/_api/info"],
  ["POST", "/_api/backend/api/function", { path: "_system/frontend/getTableMapping", args: {}, format: "json" }],
  ["POST", "/_api/backend/api/update_environment_variables", { changes: [{ name: "X", value: "1" }] }],
  ["GET", "/_api/backend/api/stream_function_logs?cursor=0"],
  ["GET", "/_api/identity/v1/users"],
  ["POST", "/_api/identity/v1/users", { email_address: ["mallory@example.com"] }],
  ["GET", "/_api/inbox"],
];

test("every dashboard API call without the admin key, or with a wrong one, gets 401 and changes nothing", async () => {
  const url = stack.dashboard.url;
  for (const auth of [
    undefined,
    "Convex wrong-key",
    `Bearer ${ADMIN_KEY}`,
    `Convex ${ADMIN_KEY}x`,
    `Convex ${ADMIN_KEY.slice(0, -1)}`,
  ]) {
    for (const [method, path, body] of routes) {
      const res = await fetch(url + path, {
        method,
        headers: { ...(auth ? { Authorization: auth } : {}), ...(body ? { "Content-Type": "application/json" } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      assert.equal(res.status, 401, `${method} ${path} with ${auth ?? "no key"}`);
      assert.equal(((await res.json()) as { code: string }).code, "Unauthenticated");
    }
  }
  assert.equal(stack.backend.environmentVariables().X, undefined);
  const users = (await fetch(`${stack.identity.url}/backend/v1/users`, {
    headers: { Authorization: `Bearer ${stack.identity.secretKey}` },
  }).then((r) => r.json())) as unknown[];
  assert.equal(users.length, 0);
});

test("with the admin key the same routes answer, the secret key added by the server", async () => {
  const h = { Authorization: `Convex ${ADMIN_KEY}`, "Content-Type": "application/json" };
  const info = (await (await fetch(`${stack.dashboard.url}/_api/info`, { headers: h })).json()) as Record<
    string,
    unknown
  >;
  assert.equal(info.backendUrl, stack.backend.url);
  assert.ok(!JSON.stringify(info).includes(stack.identity.secretKey), "the secret key never reaches the browser");
  const r = await fetch(`${stack.dashboard.url}/_api/backend/api/function`, {
    method: "POST",
    headers: h,
    body: JSON.stringify({ path: "_system/frontend/getTableMapping", args: {}, format: "json" }),
  });
  assert.equal(r.status, 200);
  assert.equal(((await r.json()) as { status: string }).status, "success");
  const users = await fetch(`${stack.dashboard.url}/_api/identity/v1/users`, { headers: h });
  assert.equal(users.status, 200);
  assert.deepEqual(await users.json(), []);
  // Only the Backend API is reachable through the identity route.
  const fapi = await fetch(`${stack.dashboard.url}/_api/identity/../v1/environment`, { headers: h });
  assert.equal(fapi.status, 404);
});

test("login: the right key is accepted, a wrong one refused; a login link works once", async () => {
  const login = (body: unknown) =>
    fetch(`${stack.dashboard.url}/_api/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  assert.equal((await login({ adminKey: ADMIN_KEY })).status, 200);
  assert.equal((await login({ adminKey: "nope" })).status, 403);
  assert.equal((await login({})).status, 403);
  const link = stack.dashboard.loginLink();
  const token = new URL(link).hash.replace("#login=", "");
  const first = await login({ token });
  assert.equal(first.status, 200);
  assert.deepEqual(await first.json(), { adminKey: ADMIN_KEY });
  assert.equal((await login({ token })).status, 403, "a link works only once");
  assert.equal((await login({ token: "made-up" })).status, 403);
});

test("the page and its bundle come with a Content-Security-Policy that allows only this origin", async () => {
  for (const path of ["/", "/app.js", "/app.css", "/_api/info"]) {
    const res = await fetch(stack.dashboard.url + path);
    const csp = res.headers.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'none'/, path);
    assert.match(csp, /connect-src 'self'/, path);
    assert.match(csp, /script-src 'self'(;|$)/, path);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  }
  const html = await (await fetch(stack.dashboard.url + "/")).text();
  assert.ok(!/<script>|style=|https?:\/\//.test(html), "no inline script or style, no other origin in the page");
});

test("wrong admin keys from one address are limited: 429 with Retry-After until the window ends", async (t) => {
  let now = 1_000_000;
  const d = await startDashboard({
    port: 0,
    backendUrl: stack.backend.url,
    adminKey: ADMIN_KEY,
    logger: silentLogger,
    failureLimit: { max: 3, windowMs: 60_000 },
    clock: () => now,
  });
  t.after(() => d.close());
  const login = (adminKey: string) =>
    fetch(`${d.url}/_api/login`, { method: "POST", body: JSON.stringify({ adminKey }) });
  const info = (key?: string) =>
    fetch(`${d.url}/_api/info`, key ? { headers: { Authorization: `Convex ${key}` } } : {});
  assert.equal((await info()).status, 401, "no key at all is not a guess");
  assert.equal((await info()).status, 401);
  assert.equal((await login("guess-1")).status, 403);
  assert.equal((await info("guess-2")).status, 401);
  assert.equal((await login("guess-3")).status, 403);
  const blocked = await login(ADMIN_KEY);
  assert.equal(blocked.status, 429, "even the right key waits once the limit is reached");
  assert.equal(blocked.headers.get("retry-after"), "60");
  assert.equal((await info(ADMIN_KEY)).status, 429);
  now += 60_000;
  assert.equal((await login(ADMIN_KEY)).status, 200);
  assert.equal((await info(ADMIN_KEY)).status, 200);
});

/** Opens the dashboard's sync socket, sends `messages`, and says how it ended. */
function syncSocket(path: string, messages: unknown[]): Promise<{ code: number; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(stack.dashboard.url.replace(/^http/, "ws") + path);
    ws.on("open", () => {
      for (const m of messages) ws.send(JSON.stringify(m));
    });
    ws.on("unexpected-response", (_req, res) => resolve({ code: 0, status: res.statusCode }));
    ws.on("close", (code) => resolve({ code }));
    ws.on("error", () => {});
  });
}

test("the sync WebSocket: nothing passes before an Authenticate with the admin key; a wrong key or a user token is closed", async () => {
  const path = "/_api/backend/api/1.48.0/sync";
  const connect = { type: "Connect", sessionId: "00000000-0000-4000-8000-000000000000", connectionCount: 0 };
  const subscribe = {
    type: "ModifyQuerySet",
    baseVersion: 0,
    newVersion: 1,
    modifications: [{ type: "Add", queryId: 0, udfPath: "_system/frontend/getTableMapping", args: [{}] }],
  };
  assert.equal((await syncSocket(path, [connect, subscribe])).code, 1008, "a query before Authenticate");
  for (const auth of [
    { type: "Authenticate", baseVersion: 0, tokenType: "Admin", value: "wrong-key" },
    { type: "Authenticate", baseVersion: 0, tokenType: "Admin", value: `${ADMIN_KEY}x` },
    { type: "Authenticate", baseVersion: 0, tokenType: "User", value: ADMIN_KEY },
    { type: "Authenticate", baseVersion: 0, tokenType: "None" },
  ])
    assert.equal((await syncSocket(path, [connect, auth, subscribe])).code, 1008, JSON.stringify(auth));
  assert.equal((await syncSocket("/_api/backend/api/1.48.0/elsewhere", [])).status, 404);

  // The official client with the admin key subscribes through it; a later Authenticate with another key ends it.
  const client = new ConvexClient(`${stack.dashboard.url}/_api/backend`, {
    skipConvexDeploymentUrlCheck: true,
    webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
    logger: false,
  });
  try {
    (client as unknown as { setAdminAuth(key: string): void }).setAdminAuth(ADMIN_KEY);
    const mapping = await new Promise<Record<string, string>>((resolve, reject) =>
      client.onUpdate(
        makeFunctionReference<"query">("_system/frontend/getTableMapping"),
        {},
        (v) => resolve(v as Record<string, string>),
        reject,
      ),
    );
    assert.equal(typeof mapping, "object");
  } finally {
    await client.close();
  }
  const switched = await syncSocket(path, [
    connect,
    { type: "Authenticate", baseVersion: 0, tokenType: "Admin", value: ADMIN_KEY },
    { type: "Authenticate", baseVersion: 1, tokenType: "Admin", value: "another-key" },
  ]);
  assert.equal(switched.code, 1008);
});
