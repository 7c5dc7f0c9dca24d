/**
 * Several identity nodes on one Postgres database (docs/operations.md#identity-on-postgres): the
 * nodes share the instance, keys, users and sessions, count rate limits together and send each
 * webhook once between them. Driven with the unmodified clerk-js and @clerk/backend.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createClerkClient, verifyToken } from "@clerk/backend";
import { postgresAvailable } from "../../../test/support/postgres.js";
import { startTestServer, type TestServer } from "./support/server.js";
import { postgresDatabase } from "./support/targets.js";
import { bapi, FapiClient } from "./support/fapi-client.js";
import { signIn, PASSWORD } from "./support/flows.js";
import { bootClerk, PAGE_ORIGIN } from "./support/clerk-js.js";
import { WebhookReceiver } from "./support/webhook-receiver.js";
import type { IdentityServerOptions } from "../src/index.js";

const available = await postgresAvailable();

/** Two nodes started at once on a fresh schema (both race to migrate and create the instance). */
async function twoNodes(t: { after(fn: () => Promise<void>): void }, opts: Partial<IdentityServerOptions> = {}) {
  const { database, drop } = postgresDatabase();
  t.after(drop);
  const nodes: TestServer[] = await Promise.all([
    startTestServer({ ...opts, database }),
    startTestServer({ ...opts, database }),
  ]);
  t.after(async () => {
    for (const n of nodes) await n.stop();
  });
  return nodes as [TestServer, TestServer];
}

test(
  "[postgres] a user created on node 1 signs in with clerk-js on node 2; a session revoked on one node is refused on the other",
  available,
  async (t) => {
    const [one, two] = await twoNodes(t, { allowedOrigins: [PAGE_ORIGIN] });
    assert.equal(one.secretKey, two.secretKey, "one instance for both nodes");
    const apiOne = createClerkClient({ secretKey: one.secretKey, apiUrl: `${one.url}/backend` });
    const apiTwo = createClerkClient({ secretKey: two.secretKey, apiUrl: `${two.url}/backend` });
    const user = await apiOne.users.createUser({
      emailAddress: ["nina@example.com"],
      password: PASSWORD,
      firstName: "Nina",
    });

    const { clerk } = bootClerk("clerk-js-6", two.publishableKey, two.url);
    await clerk.load({ telemetry: false });
    const si = await clerk.client.signIn.create({
      identifier: "nina@example.com",
      strategy: "password",
      password: PASSWORD,
    });
    assert.equal(si.status, "complete");
    await clerk.setActive({ session: si.createdSessionId });
    assert.equal(clerk.user.id, user.id);
    assert.equal(clerk.user.firstName, "Nina");

    // A token node 2 minted verifies with node 1's keys (one key ring in the database).
    const token = await clerk.session.getToken({ template: "convex", skipCache: true });
    const claims = await verifyToken(token, {
      secretKey: one.secretKey,
      apiUrl: `${one.url}/backend`,
      skipJwksCache: true,
    });
    assert.equal(claims.sub, user.id);
    const session = await verifyToken(await clerk.session.getToken({ skipCache: true }), {
      secretKey: one.secretKey,
      apiUrl: `${one.url}/backend`,
      skipJwksCache: true,
    });
    assert.equal(session.sid, si.createdSessionId);
    assert.equal((await apiOne.sessions.getSession(si.createdSessionId)).status, "active");

    await apiOne.sessions.revokeSession(si.createdSessionId);
    assert.equal((await apiTwo.sessions.getSession(si.createdSessionId)).status, "revoked");
    await assert.rejects(clerk.session.getToken({ skipCache: true }), "node 2 refuses the session node 1 revoked");
  },
);

test("[postgres] rate limits are counted across nodes", available, async (t) => {
  const [one, two] = await twoNodes(t, {
    security: { perIpLimit: { limit: 6, windowSeconds: 60 }, perIdentifierLimit: false },
  });
  // Twelve sign-in attempts from one IP, alternating nodes, half of them at once: six pass in all.
  const attempt = (n: TestServer) => signIn(new FapiClient(n.url, "header"), "nobody@example.com", "x");
  const results = [
    ...(await Promise.all([one, two, one, two, one, two].map(attempt))),
    ...(await Promise.all([two, one, two, one, two, one].map(attempt))),
  ];
  const limited = results.filter((r) => r.status === 429);
  assert.equal(limited.length, 6, results.map((r) => r.status).join(","));
  assert.ok(Number(limited[0]!.headers.get("retry-after")) > 0);
});

test("[postgres] a webhook is delivered once with two nodes running the outbox", available, async (t) => {
  const rx = await new WebhookReceiver().start();
  t.after(() => rx.stop());
  const [one, two] = await twoNodes(t);
  const ep = await bapi(one.url, one.secretKey, "POST", "/webhooks/endpoints", {
    url: rx.url,
    events: ["user.created"],
  });
  assert.equal(ep.status, 200);
  rx.secret = ep.body.secret;
  const N = 30;
  await Promise.all(
    Array.from({ length: N }, (_, i) =>
      bapi((i % 2 ? one : two).url, one.secretKey, "POST", "/users", { email_address: [`u${i}@example.com`] }),
    ),
  );
  await rx.waitFor((r) => r.length >= N, `${N} deliveries`);
  // Both dispatchers poll the shared outbox (1 s): wait out a few rounds for any second send.
  await new Promise((r) => setTimeout(r, 3000));
  const ids = rx.received.map((r) => r.svixId);
  assert.equal(ids.length, N, "no event was sent twice");
  assert.equal(new Set(ids).size, N);
  assert.ok(rx.received.every((r) => r.verified));
  const log = await bapi(two.url, two.secretKey, "GET", `/webhooks/endpoints/${ep.body.id}/deliveries?limit=100`);
  assert.equal(log.body.total_count, N);
  assert.ok(
    log.body.data.every((d: { status: string; attempts: number }) => d.status === "succeeded" && d.attempts === 1),
  );
});
