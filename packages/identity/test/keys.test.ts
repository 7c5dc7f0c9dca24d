/**
 * Instance persistence and key rotation: a restart reuses the instance (same keys, same issuer);
 * after rotation new tokens use the new key while tokens signed by the retired key still verify
 * until the retired key drops out after the longest token lifetime.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { openIdentityService, parsePublishableKey } from "../src/index.js";
import { createUser } from "../src/domain/users.js";
import { startTestServer } from "./support/server.js";
import { newId } from "../src/ids.js";

test("publishable key encodes the issuer host; restart reuses the instance", async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), "tandem-identity-"));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const a = await startTestServer({ dataDir });
  const jwksA = await (await fetch(`${a.url}/.well-known/jwks.json`)).json();
  const { secretKey } = a;
  assert.match(a.publishableKey, /^pk_test_/);
  assert.deepEqual(parsePublishableKey(a.publishableKey), { kind: "development", frontendApi: new URL(a.url).host });
  assert.match(secretKey, /^sk_test_[0-9A-Za-z]{40}$/);
  await a.stop();
  const b = await startTestServer({ dataDir });
  t.after(() => b.stop());
  assert.equal(b.secretKey, secretKey);
  assert.deepEqual(await (await fetch(`${b.url}/.well-known/jwks.json`)).json(), jwksA);

  const prod = await startTestServer({ dataDir, instance: "production", publicUrl: "https://auth.example.com/" });
  t.after(() => prod.stop());
  assert.equal(prod.issuer, "https://auth.example.com");
  assert.equal(
    prod.publishableKey,
    "pk_live_" + Buffer.from("auth.example.com$").toString("base64").replace(/=+$/, ""),
  );
  assert.match(prod.secretKey, /^sk_live_/);
  assert.notEqual(prod.secretKey, secretKey, "each instance has its own keys");
  const disco = await (await fetch(`${prod.url}/.well-known/openid-configuration`)).json();
  assert.equal(disco.issuer, "https://auth.example.com");
  assert.equal((await fetch(`${prod.url}/dev/inbox`)).status, 404, "no dev inbox in production");
});

test("rotation keeps retired keys published for the longest token lifetime", async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), "tandem-identity-"));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  let now = Date.parse("2026-01-01T00:00:00Z");
  // Native session tokens (default 1 h) would extend retention too; this test starts from 60 s.
  const svc = await openIdentityService({
    dataDir,
    issuer: "http://issuer.test",
    clock: () => now,
    nativeSessionTokenLifetimeSeconds: 60,
  });
  t.after(() => svc.store.close());
  const user = await createUser(svc, { emailAddresses: ["k@example.com"], password: "a long enough password" });
  const session = await svc.createSession(newId.client(), user);
  const active = (await svc.activeSession(session.id))!;

  const old = await svc.mintSessionToken(active);
  const oldKid = decodeProtectedHeader(old).kid;
  const newKid = await svc.keys.rotate(now);
  assert.notEqual(newKid, oldKid);
  const fresh = await svc.mintSessionToken(active);
  assert.equal(decodeProtectedHeader(fresh).kid, newKid);

  const jwks = await svc.keys.jwks(now);
  assert.deepEqual(jwks.keys.map((k) => k.kid).sort(), [oldKid, newKid].sort());
  const verify = (jwt: string, set: typeof jwks) =>
    jwtVerify(jwt, createLocalJWKSet(set), { issuer: "http://issuer.test", currentDate: new Date(now) });
  await verify(old, jwks);
  await verify(fresh, jwks);

  // The longest lifetime is the convex template's 60 s + 5 s skew (session tokens: 60 + 5).
  now += 64_000;
  assert.equal((await svc.keys.jwks(now)).keys.length, 2, "still inside retention");
  now += 2_000;
  const later = await svc.keys.jwks(now);
  assert.deepEqual(
    later.keys.map((k) => k.kid),
    [newKid],
    "retired key dropped after retention",
  );

  // A long-lived template extends retention.
  await svc.store.saveTemplate({
    id: newId.template(),
    instanceId: svc.instanceId,
    name: "long",
    claims: {},
    lifetime: 3600,
    allowedClockSkew: 0,
    createdAt: now,
    updatedAt: now,
  });
  const k3 = await svc.keys.rotate(now);
  now += 3000_000;
  assert.deepEqual((await svc.keys.jwks(now)).keys.map((k) => k.kid).sort(), [newKid, k3].sort());
});

test("automatic rotation by key age", async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), "tandem-identity-"));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  let now = Date.parse("2026-01-01T00:00:00Z");
  const svc = await openIdentityService({
    dataDir,
    issuer: "http://issuer.test",
    clock: () => now,
    keyRotationSeconds: 3600,
  });
  t.after(() => svc.store.close());
  const user = await createUser(svc, { emailAddresses: ["r@example.com"] });
  const active = (await svc.activeSession((await svc.createSession(newId.client(), user)).id))!;
  const a = decodeProtectedHeader(await svc.mintSessionToken(active)).kid;
  now += 1800_000;
  assert.equal(decodeProtectedHeader(await svc.mintSessionToken(active)).kid, a);
  now += 1801_000;
  const b = decodeProtectedHeader(await svc.mintSessionToken(active)).kid;
  assert.notEqual(b, a);
});
