/** The dashboard server without a browser: every API route refuses requests without the admin key; headers; login links. */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
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
