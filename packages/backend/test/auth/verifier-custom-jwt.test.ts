import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createAuthVerifier, parseAuthConfig } from "../../src/auth/index.js";
import { clock, makeKey, sign, type SigningKey } from "./issuer.js";
import { rejectsWith } from "./helpers.js";

const ISSUER = "https://auth.example.com";
const dataUrl = (keys: SigningKey[]) =>
  `data:text/plain;charset=utf-8;base64,${Buffer.from(JSON.stringify({ keys: keys.map((k) => k.jwk) })).toString("base64")}`;

test("customJwt with a data: URL JWKS: identity flattens nested claims", async () => {
  const key = await makeKey("ES256", "es-1");
  const c = clock();
  const providers = parseAuthConfig({
    providers: [
      {
        type: "customJwt",
        issuer: "auth.example.com",
        jwks: dataUrl([key]),
        algorithm: "ES256",
        applicationID: "my-app",
      },
    ],
  });
  const verifier = createAuthVerifier({
    providers,
    now: c.now,
    fetch: () => assert.fail("a data: URL needs no fetch"),
  });
  const { attributes, expiresAt } = await verifier.verify(
    await sign(key, {
      iss: ISSUER,
      sub: "user-9",
      aud: "my-app",
      iat: c.seconds(),
      exp: c.seconds() + 60,
      jti: "j",
      fva: [1, 2],
      email: "x@y.z",
      roles: ["a", "b"],
      org: { id: "o1", meta: { tier: 2 } },
    }),
  );
  assert.equal(expiresAt, (c.seconds() + 60) * 1000);
  assert.deepEqual(attributes, {
    tokenIdentifier: `${ISSUER}|user-9`,
    issuer: ISSUER,
    subject: "user-9",
    email: "x@y.z",
    roles: ["a", "b"],
    "org.id": "o1",
    "org.meta.tier": 2,
  });
});

test("customJwt: applicationID optional; iss without scheme matches; 5 s leeway", async () => {
  const key = await makeKey("RS256", "rs-1");
  const c = clock();
  const verifier = createAuthVerifier({
    providers: parseAuthConfig({
      providers: [{ type: "customJwt", issuer: ISSUER, jwks: dataUrl([key]), algorithm: "RS256" }],
    }),
    now: c.now,
  });
  const s = c.seconds();
  // `iss` without https:// (dynamic.xyz style); tokenIdentifier keeps it as written.
  const r = await verifier.verify(await sign(key, { iss: "auth.example.com", sub: "u", aud: "anything", exp: s - 3 }));
  assert.equal(r.attributes.tokenIdentifier, "auth.example.com|u");
  await verifier.verify(await sign(key, { iss: ISSUER, sub: "u", exp: s + 60, nbf: s + 3 }));
  await rejectsWith(
    verifier.verify(await sign(key, { iss: ISSUER, sub: "u", exp: s - 10 })),
    "InvalidAuthHeader",
    /^Could not validate token: /,
  );
  await rejectsWith(
    verifier.verify(await sign(key, { iss: ISSUER, sub: "u", exp: s + 60, nbf: s + 30 })),
    "InvalidAuthHeader",
    /^Could not validate token: /,
  );
  await rejectsWith(
    verifier.verify(await sign(key, { iss: ISSUER, exp: s + 60 })),
    "InvalidAuthHeader",
    /^Could not validate token: .*"sub"/,
  );
  await rejectsWith(
    verifier.verify(await sign(key, { iss: ISSUER, sub: "u" })),
    "InvalidAuthHeader",
    /^Could not validate token: .*"exp"/,
  );
});

test("customJwt: wrong algorithm, unknown kid and bad signatures", async () => {
  const key = await makeKey("ES256", "es-1");
  const other = await makeKey("ES256", "es-2");
  const rsa = await makeKey("RS256", "es-1");
  const c = clock();
  const verifier = createAuthVerifier({
    providers: parseAuthConfig({
      providers: [
        { type: "customJwt", issuer: ISSUER, jwks: dataUrl([key]), algorithm: "ES256", applicationID: "app" },
      ],
    }),
    now: c.now,
  });
  const claims = { iss: ISSUER, sub: "u", aud: "app", exp: c.seconds() + 60 };
  await rejectsWith(
    verifier.verify(await sign(rsa, claims)),
    "InvalidAuthHeader",
    "Could not decode token. The JWT's 'alg' header is 'RS256', but the provider expects 'ES256'.",
  );
  await rejectsWith(
    verifier.verify(await sign(other, claims)),
    "InvalidAuthHeader",
    "Could not decode token. The JWT's 'kid' (key ID) header is 'es-2', does this key match any key in the provider's JWKS?",
  );
  // Same kid, different key: the signature does not verify.
  await rejectsWith(
    verifier.verify(await sign(other, claims, { kid: "es-1" })),
    "InvalidAuthHeader",
    /^Could not validate token: /,
  );
  await rejectsWith(
    verifier.verify(await sign(key, { ...claims, aud: "not-app" })),
    "NoAuthProvider",
    /CustomJWT\(issuer=https:\/\/auth.example.com, app_id=app\)/,
  );
});

test("customJwt over HTTP: JWKS content type is checked, outages recover", async (t) => {
  const key = await makeKey("RS256", "k1");
  let contentType = "text/html";
  let up = true;
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    if (!up) return void res.writeHead(503).end();
    res.writeHead(200, { "content-type": contentType }).end(JSON.stringify({ keys: [key.jwk] }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const jwks = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  const c = clock();
  const verifier = createAuthVerifier({
    providers: parseAuthConfig({ providers: [{ type: "customJwt", issuer: ISSUER, jwks, algorithm: "RS256" }] }),
    now: c.now,
  });
  const token = await sign(key, { iss: ISSUER, sub: "u", exp: c.seconds() + 3600 });
  await rejectsWith(
    verifier.verify(token),
    "AuthProviderDiscoveryFailed",
    `Could not fetch the JWKS of the custom JWT provider ${ISSUER}`,
  );
  contentType = "application/jwk-set+json";
  up = false;
  c.advance(2000);
  await rejectsWith(verifier.verify(token), "AuthProviderDiscoveryFailed");
  up = true;
  c.advance(2000);
  assert.equal((await verifier.verify(token)).attributes.subject, "u");
  assert.equal(hits, 3);
});
