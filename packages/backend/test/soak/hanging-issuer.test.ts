/**
 * An issuer whose JWKS endpoint never answers (issue 24, item 4) blocks nobody else: while a
 * token from it waits on the fetch, anonymous callers and users of another issuer, over HTTP and
 * WebSocket, are served; the waiting caller itself gets a clear error once the fetch times out.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { ConvexHttpClient, type ConvexClient } from "convex/browser";
import { anyApi, type FunctionReference } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { copyFixture, pushOnce, tempDir } from "../server/fixture.js";
import { startTestIssuer, type TestIssuer } from "../http/issuer.js";
import { wsClient } from "./crash-load.js";

const api = anyApi;
type Seen = { who: string | null; count: number };
const seen = api.notes!.seen as FunctionReference<"query">;
const add = api.notes!.add as FunctionReference<"mutation">;

/** Discovery answers; the JWKS request is accepted and never answered. */
async function startHangingIssuer() {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  await exportJWK(publicKey);
  const held: ServerResponse[] = [];
  let jwksRequests = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (req.url === "/.well-known/openid-configuration") {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/.well-known/jwks.json` }));
    } else {
      jwksRequests++;
      held.push(res);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    jwksRequests: () => jwksRequests,
    sign: (sub: string) =>
      new SignJWT({ sub })
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .setIssuer(url)
        .setAudience("convex")
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(privateKey),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let good: TestIssuer;
let hanging: Awaited<ReturnType<typeof startHangingIssuer>>;
let backend: Backend;
const sockets: ConvexClient[] = [];

before(async () => {
  [good, hanging] = await Promise.all([startTestIssuer(), startHangingIssuer()]);
  backend = await startBackend({
    dataDir: await tempDir("hanging-issuer"),
    port: 0,
    sitePort: 0,
    logger: silentLogger,
  });
  await backend.setEnvironmentVariables({ GOOD_ISSUER: good.url, HANGING_ISSUER: hanging.url });
  await pushOnce(await copyFixture("two-issuers"), backend);
});

after(async () => {
  for (const s of sockets) await s.close();
  await backend.close();
  await Promise.all([good.close(), hanging.close()]);
});

async function eventually(check: () => boolean, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test("a JWKS endpoint that never answers blocks no other user, and its own caller gets a clear error", async () => {
  // The stuck caller: an HTTP query and a socket, both with the hanging issuer's token.
  const stuckHttp = new ConvexHttpClient(backend.url, { logger: false });
  stuckHttp.setAuth(await hanging.sign("stuck-user"));
  let stuckSettled = false;
  const stuck = stuckHttp.query(seen, {}).finally(() => (stuckSettled = true));
  stuck.catch(() => {});
  const stuckSocket = wsClient(backend.url);
  sockets.push(stuckSocket);
  const stuckAuth: boolean[] = [];
  stuckSocket.setAuth(
    () => hanging.sign("stuck-user"),
    (ok) => stuckAuth.push(ok),
  );
  stuckSocket.onUpdate(seen, {}, () => {});
  await eventually(() => hanging.jwksRequests() >= 1, 10_000, "the backend to ask the hanging issuer for its keys");

  // Everyone else, meanwhile.
  const anonymous = new ConvexHttpClient(backend.url, { logger: false });
  const goodHttp = new ConvexHttpClient(backend.url, { logger: false });
  goodHttp.setAuth(await good.sign({ sub: "good-user" }));
  const goodSocket = wsClient(backend.url);
  sockets.push(goodSocket);
  const goodSeen: Seen[] = [];
  goodSocket.setAuth(() => good.sign({ sub: "good-user" }));
  goodSocket.onUpdate(seen, {}, (v: Seen) => goodSeen.push(v));
  const round = async (i: number) => {
    await anonymous.mutation(add, { text: `anon-${i}` });
    assert.equal(((await anonymous.query(seen, {})) as Seen).who, null);
    assert.equal(((await goodHttp.query(seen, {})) as Seen).who, "good-user");
    await goodSocket.mutation(add, { text: `good-${i}` });
    await eventually(
      () => goodSeen.at(-1)?.who === "good-user" && goodSeen.at(-1)?.count === 2 * (i + 1),
      10_000,
      "the good socket's subscription",
    );
  };
  await round(0);
  // Checked after one round: the stuck fetch gives up after 5 s, and a loaded machine may need a
  // while for many rounds.
  assert.equal(stuckSettled, false, "the other users were served while the hanging issuer's fetch was still pending");
  for (let i = 1; i < 4; i++) await round(i);

  // The stuck caller is not stuck forever: the key fetch times out (5 s) and the error names the
  // issuer whose keys could not be had (Convex's wording and code).
  await assert.rejects(
    stuck,
    new RegExp(`AuthProviderDiscoveryFailed.*Auth provider discovery of ${hanging.url} failed`),
  );
  await eventually(() => stuckAuth.includes(false), 30_000, "the stuck socket to learn its token was refused");
  assert.equal(stuckAuth.includes(true), false);
});
