/**
 * Signing-key rotation end to end: `tandem keys rotate` (the identity service's
 * `POST /backend/v1/signing_keys/rotate`) while a real backend verifies the identity service's
 * tokens over JWKS. Tokens come from `@clerk/backend` (`sessions.getToken`) and are sent by the
 * official `ConvexHttpClient`. A token signed before the rotation keeps verifying until it
 * expires; tokens after it carry the new kid and verify at once (the backend refetches on the
 * unknown kid); the old key leaves the JWKS when the grace period is over.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createClerkClient } from "@clerk/backend";
import { ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { decodeProtectedHeader } from "jose";
import { runCli } from "../src/program.js";
import { startIdentity, type TestIdentity } from "../../../test/support/identity.js";
import { startBackendWithApp, type TestBackend } from "../../../test/support/backend.js";
import { FapiClient } from "../../identity/test/support/fapi-client.js";
import { signUp } from "../../identity/test/support/flows.js";

type Me = { subject: string } | null;
const whoami = makeFunctionReference<"query", Record<string, never>, Me>("whoami:me");
const authRejections = makeFunctionReference<"query">("_system/tandem/authRejections");

/** Session tokens live this long, so the test can watch one expire. */
const TOKEN_SECONDS = 6;

let identity: TestIdentity;
let app: TestBackend;
/** Added to the identity service's clock, to reach the end of the grace period without waiting. */
let ahead = 0;

before(async () => {
  identity = await startIdentity({
    sessionTokenLifetimeSeconds: TOKEN_SECONDS,
    nativeSessionTokenLifetimeSeconds: TOKEN_SECONDS,
    clock: () => Date.now() + ahead,
  });
  app = await startBackendWithApp("whoami", identity.issuer);
});

after(async () => {
  await app?.stop();
  await identity?.stop();
});

async function tandem(...args: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const io = { out: (t: string) => void lines.push(t), err: (t: string) => void lines.push(t) };
  const code = await runCli([...args, "--identity-url", identity.url, "--secret-key", identity.secretKey], io);
  return { code, text: lines.join("\n") };
}

/** `whoami:me` as the official client sends it with `token`. */
async function me(token: string): Promise<Me> {
  const client = new ConvexHttpClient(app.backend.url, { skipConvexDeploymentUrlCheck: true, logger: false });
  client.setAuth(token);
  return client.query(whoami, {});
}

const kids = async () =>
  ((await (await fetch(`${identity.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> }).keys
    .map((k) => k.kid)
    .sort();

test("rotation: old tokens verify until they expire, new ones carry the new kid, the old key leaves after the grace period", async () => {
  const clerk = createClerkClient({ secretKey: identity.secretKey, apiUrl: `${identity.url}/backend` });
  const sessionId = await signUp(new FapiClient(identity.url, "header"), identity as never, "rot@example.com");
  const userId = (await clerk.sessions.getSession(sessionId)).userId;

  const before = (await clerk.sessions.getToken(sessionId)).jwt;
  const oldKid = decodeProtectedHeader(before).kid!;
  assert.equal((await me(before))?.subject, userId, "the backend verifies (and caches the JWKS)");
  assert.deepEqual(await kids(), [oldKid]);

  const rotated = await tandem("keys", "rotate");
  assert.equal(rotated.code, 0, rotated.text);
  const newKid = /New signing key: (\S+)/.exec(rotated.text)?.[1];
  assert.ok(newKid && newKid !== oldKid, rotated.text);
  assert.match(rotated.text, new RegExp(`${oldKid}\\s+retired\\s+verifies tokens until `));
  assert.deepEqual(await kids(), [oldKid, newKid].sort(), "both keys are published during the grace period");

  // A token minted now carries the new kid; the backend has never seen it and verifies it at once.
  const after = (await clerk.sessions.getToken(sessionId)).jwt;
  assert.equal(decodeProtectedHeader(after).kid, newKid);
  assert.equal((await me(after))?.subject, userId);
  // The token from before the rotation still verifies against the refetched key set.
  assert.equal((await me(before))?.subject, userId);
  const template = (await clerk.sessions.getToken(sessionId, "convex")).jwt;
  assert.equal(decodeProtectedHeader(template).kid, newKid, "templates sign with the new key too");
  assert.equal((await me(template))?.subject, userId);

  // Until it expires: then the backend refuses it, as expired (not as an unknown key).
  const exp = JSON.parse(Buffer.from(before.split(".")[1]!, "base64url").toString()).exp as number;
  await new Promise((r) => setTimeout(r, Math.max(0, exp * 1000 - Date.now()) + 1100));
  await assert.rejects(me(before));
  const admin = new ConvexHttpClient(app.backend.url, { skipConvexDeploymentUrlCheck: true, logger: false });
  (admin as unknown as { setAdminAuth(key: string): void }).setAdminAuth(app.backend.adminKey);
  const report = (await admin.query(authRejections, {})) as { rejections: Array<{ reason: { kind: string } }> };
  assert.equal(report.rejections[0]?.reason.kind, "expired");

  // The grace period is the longest token lifetime plus its skew (here the convex template's
  // 60 + 5 s); past it the old key is gone from the JWKS and from `tandem keys list`.
  const listed = await tandem("keys", "list");
  assert.match(listed.text, new RegExp(`${newKid}\\s+active`));
  assert.match(listed.text, new RegExp(`${oldKid}\\s+retired`));
  ahead = 66_000;
  assert.deepEqual(await kids(), [newKid]);
  assert.doesNotMatch((await tandem("keys", "list")).text, new RegExp(oldKid));
  ahead = 0;
  assert.equal((await me((await clerk.sessions.getToken(sessionId)).jwt))?.subject, userId);
});

test("rotation is for the secret key only", async () => {
  const res = await fetch(`${identity.url}/backend/v1/signing_keys/rotate`, { method: "POST" });
  assert.equal(res.status, 401);
  const wrong = await fetch(`${identity.url}/backend/v1/signing_keys/rotate`, {
    method: "POST",
    headers: { Authorization: `Bearer sk_test_${"x".repeat(40)}` },
  });
  assert.equal(wrong.status, 401);
  const publishable = await fetch(`${identity.url}/backend/v1/signing_keys/rotate`, {
    method: "POST",
    headers: { Authorization: `Bearer ${identity.publishableKey}` },
  });
  assert.equal(publishable.status, 401);
  const r = await tandem("keys", "list");
  assert.equal(r.code, 0);
  assert.equal(r.text.split("\n").filter((l) => l.includes(" active ")).length, 1, r.text);
});
