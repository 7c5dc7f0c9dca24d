import { test } from "node:test";
import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { createAuthVerifier, OIDC_CLAIM_ERROR, type AuthProvider } from "../../src/auth/index.js";
import { clock, makeKey, sign, TestIssuer } from "./issuer.js";
import { b64url, rejectsWith } from "./helpers.js";

const oidc = (domain: string, applicationID = "convex"): AuthProvider => ({ kind: "oidc", domain, applicationID });

test("OIDC: a real issuer's token becomes Convex's UserIdentity", async (t) => {
  const issuer = await TestIssuer.start();
  t.after(() => issuer.stop());
  const c = clock();
  const verifier = createAuthVerifier({ providers: [oidc(issuer.url)], now: c.now });
  const token = await sign(issuer.current, {
    iss: issuer.url,
    sub: "user_123",
    aud: "convex",
    iat: c.seconds(),
    exp: c.seconds() + 60,
    nbf: c.seconds() - 5,
    jti: "abc",
    azp: "http://localhost:5173",
    fva: [0, -1],
    sid: "sess_1",
    name: "Ada Lovelace",
    given_name: "Ada",
    family_name: "Lovelace",
    nickname: "ada",
    preferred_username: "ada_l",
    profile: "https://p",
    picture: "https://img",
    website: "https://w",
    email: "ada@example.com",
    email_verified: true,
    gender: "female",
    birthdate: "1815-12-10",
    zoneinfo: "Europe/London",
    locale: "en-GB",
    phone_number: "+44",
    phone_number_verified: false,
    address: { formatted: "12 St James's Square" },
    updated_at: 1704067200,
    org_id: "org_1",
    metadata: { plan: "pro" },
  });
  const { attributes, expiresAt } = await verifier.verify(token);
  assert.equal(expiresAt, (c.seconds() + 60) * 1000);
  assert.deepEqual(attributes, {
    tokenIdentifier: `${issuer.url}|user_123`,
    issuer: issuer.url,
    subject: "user_123",
    name: "Ada Lovelace",
    givenName: "Ada",
    familyName: "Lovelace",
    nickname: "ada",
    preferredUsername: "ada_l",
    profileUrl: "https://p",
    pictureUrl: "https://img",
    websiteUrl: "https://w",
    email: "ada@example.com",
    emailVerified: true,
    gender: "female",
    birthday: "1815-12-10",
    timezone: "Europe/London",
    language: "en-GB",
    phoneNumber: "+44",
    phoneNumberVerified: false,
    address: "12 St James's Square",
    updatedAt: "2024-01-01T00:00:00+00:00",
    sid: "sess_1",
    org_id: "org_1",
    metadata: { plan: "pro" },
  });
  // The second token is verified from the cache: no new request to the issuer.
  const before = { ...issuer.requests };
  await verifier.verify(
    await sign(issuer.current, { iss: issuer.url, sub: "u2", aud: "convex", iat: c.seconds(), exp: c.seconds() + 60 }),
  );
  assert.deepEqual(issuer.requests, before);
});

test("OIDC: EdDSA keys and a trailing slash in the configured domain", async (t) => {
  const issuer = await TestIssuer.start("EdDSA");
  t.after(() => issuer.stop());
  const c = clock();
  const verifier = createAuthVerifier({ providers: [oidc(`${issuer.url}/`)], now: c.now });
  const token = await sign(issuer.current, {
    iss: issuer.url,
    sub: "e",
    aud: ["convex"],
    iat: c.seconds(),
    exp: c.seconds() + 60,
  });
  assert.equal((await verifier.verify(token)).attributes.subject, "e");
});

test("OIDC: key rotation is picked up on an unknown kid, rate-limited by the cooldown", async (t) => {
  const issuer = await TestIssuer.start();
  t.after(() => issuer.stop());
  const c = clock();
  const verifier = createAuthVerifier({ providers: [oidc(issuer.url)], now: c.now, refetchCooldownMs: 30_000 });
  const claims = (iat = c.seconds()) => ({ iss: issuer.url, sub: "u", aud: "convex", iat, exp: c.seconds() + 3600 });
  await verifier.verify(await sign(issuer.current, claims()));
  assert.equal(issuer.requests.jwks, 1);

  // Inside the cooldown, an unknown kid on a token older than our keys does not reach the issuer…
  const next = await issuer.rotate("key-2", true);
  await rejectsWith(verifier.verify(await sign(next, claims(c.seconds() - 10))), "Unauthenticated", OIDC_CLAIM_ERROR);
  assert.equal(issuer.requests.jwks, 1);
  // …after it, one refetch picks up the new key.
  c.advance(31_000);
  assert.equal((await verifier.verify(await sign(next, claims()))).attributes.subject, "u");
  assert.equal(issuer.requests.jwks, 2);
  // A flood of forged kids on old tokens right after costs no further requests.
  const ghost = await makeKey("RS256", "ghost");
  for (let i = 0; i < 5; i++)
    await rejectsWith(verifier.verify(await sign(ghost, claims(c.seconds() - 10))), "Unauthenticated");
  assert.equal(issuer.requests.jwks, 2);
});

test("OIDC: a key rotated in right after the keys were fetched verifies its tokens at once; fresh forged kids cost one request a second", async (t) => {
  const issuer = await TestIssuer.start();
  t.after(() => issuer.stop());
  const c = clock();
  const verifier = createAuthVerifier({ providers: [oidc(issuer.url)], now: c.now, refetchCooldownMs: 30_000 });
  const claims = () => ({ iss: issuer.url, sub: "u", aud: "convex", iat: c.seconds(), exp: c.seconds() + 3600 });
  const old = await sign(issuer.current, claims());
  await verifier.verify(old);
  assert.equal(issuer.requests.jwks, 1);

  // The issuer rotates (keeping the old key published) and signs with the new key at once: the
  // token is newer than our keys, so its unknown kid refetches without waiting out the cooldown.
  const next = await issuer.rotate("key-2");
  assert.equal((await verifier.verify(await sign(next, claims()))).attributes.subject, "u");
  assert.equal(issuer.requests.jwks, 2);
  assert.equal((await verifier.verify(old)).attributes.subject, "u", "the old key still verifies");
  assert.equal(issuer.requests.jwks, 2);

  // Forged kids on fresh tokens: concurrent ones share one refetch, a second apart at most.
  const ghost = await makeKey("RS256", "ghost");
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 5 }, async () =>
      rejectsWith(verifier.verify(await sign(ghost, claims())), "Unauthenticated", OIDC_CLAIM_ERROR),
    ),
  );
  assert.equal(issuer.requests.jwks, 3);
  assert.ok(Date.now() - started >= 900, "the refetch waited for the rest of the interval");
});

test("OIDC: concurrent first verifications share one discovery and one JWKS request", async (t) => {
  const issuer = await TestIssuer.start();
  t.after(() => issuer.stop());
  issuer.delayMs = 50;
  const c = clock();
  const verifier = createAuthVerifier({ providers: [oidc(issuer.url)], now: c.now });
  const token = await sign(issuer.current, {
    iss: issuer.url,
    sub: "u",
    aud: "convex",
    iat: c.seconds(),
    exp: c.seconds() + 60,
  });
  const results = await Promise.all(Array.from({ length: 20 }, () => verifier.verify(token)));
  assert.equal(results.length, 20);
  assert.deepEqual(issuer.requests, { discovery: 1, jwks: 1 });
});

test("OIDC: issuer down at first use fails clearly, then works once it is back (no restart)", async (t) => {
  const issuer = await TestIssuer.start();
  t.after(() => issuer.stop());
  await issuer.stop();
  const c = clock();
  const verifier = createAuthVerifier({
    providers: [oidc(issuer.url)],
    now: c.now,
    failureRetryMs: 1000,
    fetchTimeoutMs: 2000,
  });
  const token = await sign(issuer.current, {
    iss: issuer.url,
    sub: "u",
    aud: "convex",
    iat: c.seconds(),
    exp: c.seconds() + 3600,
  });
  await rejectsWith(
    verifier.verify(token),
    "AuthProviderDiscoveryFailed",
    `Auth provider discovery of ${issuer.url} failed`,
  );
  await issuer.listen();
  // Within the retry window the failure is answered from memory (the issuer is not hammered)…
  await rejectsWith(verifier.verify(token), "AuthProviderDiscoveryFailed");
  assert.equal(issuer.requests.discovery, 0);
  // …then the next attempt reaches the issuer and succeeds.
  c.advance(1500);
  assert.equal((await verifier.verify(token)).attributes.subject, "u");
  // Later outages keep the cached keys working.
  await issuer.stop();
  c.advance(11 * 60_000);
  const later = await sign(issuer.current, {
    iss: issuer.url,
    sub: "u",
    aud: "convex",
    iat: c.seconds(),
    exp: c.seconds() + 60,
  });
  assert.equal((await verifier.verify(later)).attributes.subject, "u");
});

test("OIDC: a corpus of bad tokens, each rejected with the right error", async (t) => {
  const issuer = await TestIssuer.start();
  t.after(() => issuer.stop());
  const c = clock();
  const verifier = createAuthVerifier({ providers: [oidc(issuer.url)], now: c.now, refetchCooldownMs: 0 });
  const s = c.seconds();
  const good = { iss: issuer.url, sub: "user_1", aud: "convex", iat: s, exp: s + 60 };
  const valid = await sign(issuer.current, good);
  assert.equal((await verifier.verify(valid)).attributes.subject, "user_1");
  const [h, p, sig] = valid.split(".") as [string, string, string];

  const claimError = (token: string) => rejectsWith(verifier.verify(token), "Unauthenticated", OIDC_CLAIM_ERROR);
  const parseError = (token: string) =>
    rejectsWith(verifier.verify(token), "InvalidAuthHeader", "Could not parse as id token");

  // alg none
  await claimError(`${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${p}.`);
  // HS256 "signed" with the issuer's public key as the HMAC secret
  const publicKeyText = JSON.stringify(issuer.current.jwk);
  await claimError(
    await new SignJWT(good)
      .setProtectedHeader({ alg: "HS256", kid: "key-1" })
      .sign(new TextEncoder().encode(publicKeyText)),
  );
  // unknown kid (a key the issuer never published)
  await claimError(await sign(await makeKey("RS256", "ghost"), good));
  // expired, and expired by one second (no leeway for OIDC)
  await claimError(await sign(issuer.current, { ...good, exp: s - 60 }));
  await claimError(await sign(issuer.current, { ...good, exp: s - 1 }));
  // nbf in the future
  await claimError(await sign(issuer.current, { ...good, nbf: s + 30 }));
  // several audiences
  await claimError(await sign(issuer.current, { ...good, aud: ["convex", "other"] }));
  // missing sub
  await claimError(await sign(issuer.current, { iss: good.iss, aud: good.aud, iat: s, exp: s + 60 }));
  // tampered payload, tampered signature, signature cut short
  await claimError(`${h}.${b64url(JSON.stringify({ ...good, sub: "admin" }))}.${sig}`);
  await claimError(`${h}.${p}.${sig.slice(0, 10)}${sig[10] === "A" ? "B" : "A"}${sig.slice(11)}`);
  await claimError(`${h}.${p}.${sig.slice(0, sig.length >> 1)}`);
  // wrong issuer / audience pick no provider
  const noProvider = `No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your configured providers: [OIDC(domain=${issuer.url}, app_id=convex)]`;
  await rejectsWith(
    verifier.verify(await sign(issuer.current, { ...good, iss: "https://evil.example.com" })),
    "NoAuthProvider",
    noProvider,
  );
  await rejectsWith(
    verifier.verify(await sign(issuer.current, { ...good, aud: "other" })),
    "NoAuthProvider",
    noProvider,
  );
  // missing iss
  await rejectsWith(
    verifier.verify(await sign(issuer.current, { sub: "x", aud: "convex", exp: s + 60 })),
    "InvalidAuthHeader",
    /^Missing issuer claim \('iss'\)/,
  );
  // truncated inside the payload, not a JWT at all, empty, garbage segments
  await parseError(`${h}.${p.slice(0, 7)}`);
  await parseError("hello");
  await parseError("");
  await parseError("a.b.c");
  await parseError(`${h}.${p}.${sig}.extra`);
  // oversized: rejected before parsing
  await rejectsWith(
    verifier.verify(await sign(issuer.current, { ...good, blob: "x".repeat(20_000) })),
    "InvalidAuthHeader",
    /^Token is too large \(\d+ bytes > maximum 16384 bytes\)$/,
  );
  // …and the verifier is still fine afterwards.
  assert.equal((await verifier.verify(valid)).attributes.subject, "user_1");
});

test("OIDC: a discovery document naming another issuer is a discovery failure", async (t) => {
  const issuer = await TestIssuer.start();
  t.after(() => issuer.stop());
  const c = clock();
  // Token and provider say `localhost`, the issuer's discovery says `127.0.0.1`.
  const alias = issuer.url.replace("127.0.0.1", "localhost");
  const verifier = createAuthVerifier({ providers: [oidc(alias)], now: c.now });
  const token = await sign(issuer.current, {
    iss: alias,
    sub: "u",
    aud: "convex",
    iat: c.seconds(),
    exp: c.seconds() + 60,
  });
  await rejectsWith(
    verifier.verify(token),
    "AuthProviderDiscoveryFailed",
    `Auth provider discovery of ${alias} failed`,
  );
});

test("no providers configured", async () => {
  const verifier = createAuthVerifier({ providers: [] });
  const key = await makeKey("RS256", "k");
  await rejectsWith(
    verifier.verify(await sign(key, { iss: "https://a.example.com", sub: "x", exp: 9e9 })),
    "NoAuthProvider",
    "No auth provider found matching the given token (no providers configured). Check convex/auth.config.ts.",
  );
});
