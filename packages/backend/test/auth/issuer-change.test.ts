/**
 * The guide's flow for changing issuers: `npx convex env set` of the variable `auth.config.ts`
 * reads, then a push whose code is unchanged. The new providers take effect at once, over HTTP
 * and for connected WebSockets; an issuer that is down at first use works as soon as it is back.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { copyFixture, pushOnce, runConvex, tempDir } from "../server/fixture.js";
import { startTestIssuer, type TestIssuer } from "../http/issuer.js";

const api = anyApi;
let first: TestIssuer;
let second: TestIssuer;
let backend: Backend;
let app: string;
const clients: ConvexClient[] = [];

type Seen = { who: string | null };

async function switchIssuer(url: string): Promise<void> {
  const deployment = { url: backend.url, adminKey: backend.adminKey };
  const set = await runConvex(app, ["env", "set", "TEST_ISSUER", url], deployment);
  assert.equal(set.code, 0, set.output);
  await pushOnce(app, deployment);
}

async function whoOverHttp(token: string): Promise<string | null> {
  const http = new ConvexHttpClient(backend.url, { skipConvexDeploymentUrlCheck: true, logger: false });
  http.setAuth(token);
  return ((await http.query(api.notes!.seen!, {})) as Seen).who;
}

async function eventually(check: () => boolean, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

before(async () => {
  [first, second] = await Promise.all([startTestIssuer(), startTestIssuer()]);
  backend = await startBackend({ dataDir: await tempDir("issuer-change"), port: 0, sitePort: 0, logger: silentLogger });
  app = await copyFixture("authed");
  await switchIssuer(first.url);
});

after(async () => {
  for (const c of clients) await c.close();
  await backend.close();
  await Promise.all([first.close(), second.close()]);
});

test("env set + push of unchanged code: the new issuer's tokens are accepted, the old one's refused, sockets included", async () => {
  assert.equal(await whoOverHttp(await first.sign({ sub: "old-user" })), "old-user");

  // A live session authenticated with the first issuer.
  const socket = new ConvexClient(backend.url, {
    skipConvexDeploymentUrlCheck: true,
    webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
    logger: false,
  });
  clients.push(socket);
  const states: boolean[] = [];
  socket.setAuth(
    () => first.sign({ sub: "old-user" }),
    (ok) => states.push(ok),
  );
  const seen: Seen[] = [];
  socket.onUpdate(api.notes!.seen!, {}, (v: Seen) => seen.push(v));
  await eventually(() => seen.at(-1)?.who === "old-user", 10_000, "the socket's authenticated result");

  await switchIssuer(second.url);

  assert.equal(await whoOverHttp(await second.sign({ sub: "new-user" })), "new-user");
  await assert.rejects(whoOverHttp(await first.sign({ sub: "old-user" })), /NoAuthProvider|No auth provider/);
  // The socket's session is re-checked: its token (and the fresh one it fetches) are refused.
  await eventually(() => states.at(-1) === false, 10_000, "the old session's authentication to end");
  await eventually(() => seen.at(-1)?.who === null, 10_000, "the socket to be served logged out");
});

test("an issuer that was down at first use works as soon as it is back", async (t) => {
  const third = await startTestIssuer();
  t.after(() => third.close());
  third.setDown(true);
  await switchIssuer(third.url);
  const token = await third.sign({ sub: "patient-user" });
  await assert.rejects(whoOverHttp(token), /discovery/i);
  third.setDown(false);
  assert.equal(await whoOverHttp(token), "patient-user");
});
