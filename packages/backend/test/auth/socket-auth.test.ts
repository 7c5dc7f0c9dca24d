/**
 * Issue 4 end to end: a real Tandem server whose `auth.config.ts` names a real OIDC issuer on
 * localhost, the official `ConvexClient` over WebSocket with `setAuth`, short-lived tokens.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { ConvexClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { copyFixture, pushOnce, runConvex, tempDir } from "../server/fixture.js";
import { startTestIssuer, type TestIssuer } from "../http/issuer.js";

const api = anyApi;
let issuer: TestIssuer;
let backend: Backend;
const clients: ConvexClient[] = [];

function client(): ConvexClient {
  const c = new ConvexClient(backend.url, {
    skipConvexDeploymentUrlCheck: true,
    webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
    logger: false,
    authRefreshTokenLeewaySeconds: 1,
  });
  clients.push(c);
  return c;
}

before(async () => {
  issuer = await startTestIssuer();
  backend = await startBackend({ dataDir: await tempDir("socket-auth"), port: 0, sitePort: 0, logger: silentLogger });
  const deployment = { url: backend.url, adminKey: backend.adminKey };
  const app = await copyFixture("authed");
  const set = await runConvex(app, ["env", "set", "TEST_ISSUER", issuer.url], deployment);
  assert.equal(set.code, 0, set.output);
  await pushOnce(app, deployment);
});

after(async () => {
  for (const c of clients) await c.close();
  await backend.close();
  await issuer.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function eventually(check: () => boolean, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

type Seen = { who: string | null; name: string | null; tokenIdentifier: string | null; count: number };

test("3-second tokens: the subscription stays authenticated across several expiries with no gap in updates", async () => {
  let minted = 0;
  const reader = client();
  reader.setAuth(async () => {
    minted += 1;
    return issuer.sign({ sub: "user-1", name: "Ada Lovelace" }, { expiresIn: "3s" });
  });
  const updates: Array<{ at: number; v: Seen }> = [];
  reader.onUpdate(api.notes!.seen!, {}, (v: Seen) => updates.push({ at: Date.now(), v }));
  await eventually(() => updates.at(-1)?.v.who === "user-1", 10_000, "the first authenticated result");
  const first = updates.at(-1)!.v;
  assert.equal(first.name, "Ada Lovelace");
  assert.equal(first.tokenIdentifier, `${issuer.url}|user-1`);

  // A writer inserts every 200 ms for 10 s, across at least three token lifetimes.
  const writer = client();
  const start = Date.now();
  let writes = 0;
  while (Date.now() - start < 10_000) {
    await writer.mutation(api.notes!.add!, { text: `n${writes++}` });
    await sleep(200);
  }
  await eventually(() => updates.at(-1)?.v.count === first.count + writes, 5000, "the last write");
  const during = updates.filter((u) => u.at >= start);
  assert.ok(
    during.every((u) => u.v.who === "user-1"),
    "never seen logged out",
  );
  // No gap: while writes continue, updates keep arriving (a stalled socket would leave a hole).
  for (let i = 1; i < during.length; i++)
    assert.ok(during[i]!.at - during[i - 1]!.at < 2500, `gap of ${during[i]!.at - during[i - 1]!.at} ms`);
  assert.ok(minted >= 4, `expected several token refreshes, got ${minted}`);
});

test("rejected tokens end only that client's authentication; others keep being served", async () => {
  const watcher = client();
  const watched: Seen[] = [];
  watcher.onUpdate(api.notes!.seen!, {}, (v: Seen) => watched.push(v));
  await eventually(() => watched.length > 0, 5000, "watcher result");

  const bad = [
    "not-a-jwt",
    "a.b.c",
    await issuer.sign({ sub: "u" }, { audience: "someone-else" }),
    await issuer.sign({ sub: "u" }, { expiresIn: -60 }),
    (await issuer.sign({ sub: "u" })).slice(0, -10),
  ];
  for (const token of bad) {
    const c = client();
    const states: boolean[] = [];
    c.setAuth(
      async () => token,
      (ok) => states.push(ok),
    );
    const results: Seen[] = [];
    c.onUpdate(api.notes!.seen!, {}, (v: Seen) => results.push(v));
    await eventually(() => states.includes(false), 10_000, `rejection of ${token.slice(0, 12)}…`);
    assert.ok(!states.includes(true), "a bad token is never accepted");
    await c.close();
  }
  const before = watched.at(-1)!.count;
  await client().mutation(api.notes!.add!, { text: "still served" });
  await eventually(() => watched.at(-1)!.count === before + 1, 5000, "the watcher's update");
});

test("a bad Bearer token over HTTP gets 401 with Convex's error body", async () => {
  const res = await fetch(`${backend.url}/api/query`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${await issuer.sign({ sub: "u" }, { audience: "nope" })}`,
    },
    body: JSON.stringify({ path: "notes:seen", args: {}, format: "json" }),
  });
  assert.equal(res.status, 401);
  const body = (await res.json()) as { code: string; message: string };
  assert.ok(body.code && body.message, JSON.stringify(body));
});
