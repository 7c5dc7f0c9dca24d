/**
 * The rejection diagnosis on its own, for the cases the end-to-end doctor test does not reach:
 * no providers, custom JWT providers without an applicationID, malformed tokens, expiry without
 * skew; and the rejection log keeps only the newest reasons and never the token.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPair, SignJWT, type JWTPayload } from "jose";
import { TandemError } from "@tandem/shared";
import { diagnoseRejection, recordRejections, RejectionLog, type AuthProvider } from "../../src/auth/index.js";

const NOW = 1_800_000_000;
const oidc: AuthProvider = { kind: "oidc", domain: "https://issuer.example", applicationID: "convex" };
const custom: AuthProvider = {
  kind: "customJwt",
  issuer: "https://jwt.example",
  jwks: "https://jwt.example/jwks",
  algorithm: "RS256",
  applicationID: null,
};
const refused = new TandemError("Unauthenticated", "Unauthenticated", "refused");

async function token(claims: JWTPayload): Promise<string> {
  const { privateKey } = await generateKeyPair("RS256");
  return new SignJWT({
    iss: "https://issuer.example",
    aud: "convex",
    sub: "u",
    iat: NOW - 10,
    exp: NOW + 50,
    ...claims,
  })
    .setProtectedHeader({ alg: "RS256", kid: "k" })
    .sign(privateKey);
}

const ctx = (providers: AuthProvider[], env: Record<string, string> = {}) => ({ providers, env, nowSeconds: NOW });

test("no providers, and an env var that names the issuer: the config was not pushed", async () => {
  const t = await token({});
  assert.equal(diagnoseRejection(t, refused, ctx([])).kind, "noProviders");
  const r = diagnoseRejection(t, refused, ctx([], { CLERK_JWT_ISSUER_DOMAIN: "issuer.example/" }));
  assert.deepEqual(r, {
    kind: "configNotPushed",
    tokenIssuer: "https://issuer.example",
    envVar: "CLERK_JWT_ISSUER_DOMAIN",
    configuredIssuers: [],
  });
});

test("a custom JWT provider without applicationID accepts any aud; an expired token is named as expired", async () => {
  const t = await token({ iss: "https://jwt.example", aud: "anything", iat: NOW - 120, exp: NOW - 60 });
  assert.deepEqual(diagnoseRejection(t, refused, ctx([oidc, custom])), {
    kind: "expired",
    expiredAt: NOW - 60,
    now: NOW,
  });
});

test("malformed tokens and tokens without iss", async () => {
  assert.equal(diagnoseRejection("abc", refused, ctx([oidc])).kind, "malformed");
  assert.equal(diagnoseRejection(await token({ iss: undefined }), refused, ctx([oidc])).kind, "malformed");
});

test("a cause not recognised keeps the backend's code and message", async () => {
  const r = diagnoseRejection(
    await token({}),
    new TandemError("Unauthenticated", "InvalidAuthHeader", "bad alg"),
    ctx([oidc]),
  );
  assert.deepEqual(r, { kind: "other", code: "InvalidAuthHeader", detail: "bad alg" });
});

test("the log keeps the newest reasons up to its capacity, with the subject but not the token", async () => {
  const log = new RejectionLog(2);
  const verify = recordRejections(async (): Promise<never> => Promise.reject(refused), {
    log,
    providers: () => [oidc],
    env: () => ({}),
    now: () => NOW * 1000,
  });
  const tokens = [await token({ sub: "a" }), await token({ sub: "b" }), await token({ sub: "c" })];
  for (const t of tokens) await assert.rejects(verify(t), /refused/);
  assert.deepEqual(
    log.list().map((r) => r.subject),
    ["c", "b"],
  );
  const stored = JSON.stringify(log.list());
  for (const t of tokens) assert.ok(!stored.includes(t.split(".")[1]!) && !stored.includes(t.split(".")[2]!));
});
