import { test } from "node:test";
import assert from "node:assert/strict";
import { isTandemError } from "@tandem/shared";
import { normalizeIssuerUrl, parseAuthConfig, serializeProvider } from "../../src/auth/index.js";

function throwsCode(fn: () => unknown, code: string, message?: string | RegExp) {
  try {
    fn();
  } catch (e) {
    assert.ok(isTandemError(e));
    assert.equal(e.code, code);
    assert.equal(e.kind, "BadRequest");
    if (typeof message === "string") assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return;
  }
  assert.fail(`expected ${code}`);
}

test("issuer URL normalisation follows Convex", () => {
  assert.equal(normalizeIssuerUrl("example.com"), "https://example.com");
  assert.equal(normalizeIssuerUrl("clerk.example.co.uk/"), "https://clerk.example.co.uk/");
  assert.equal(normalizeIssuerUrl("localhost"), "https://localhost");
  assert.equal(normalizeIssuerUrl("https://example.com"), "https://example.com");
  assert.equal(normalizeIssuerUrl("http://127.0.0.1:3212"), "http://127.0.0.1:3212");
  assert.equal(normalizeIssuerUrl("http://localhost:3211"), "http://localhost:3211");
  throwsCode(
    () => normalizeIssuerUrl("file://example.com"),
    "InvalidProviderDomainUrl",
    'Invalid provider domain URL "file://example.com": must use HTTPS',
  );
  throwsCode(
    () => normalizeIssuerUrl("foobar123"),
    "InvalidProviderDomainUrl",
    'Invalid provider domain URL "foobar123": Does not look like a URL (must have a scheme or end with a top-level domain)',
  );
  throwsCode(() => normalizeIssuerUrl("idont.looklikeadomain"), "InvalidProviderDomainUrl", /Does not look like a URL/);
  throwsCode(
    () => normalizeIssuerUrl('"https://example.com"'),
    "InvalidProviderDomainUrl",
    /^Invalid provider domain URL "\\?"/,
  );
});

test("both provider forms parse and serialize to the appAuth shape", () => {
  const providers = parseAuthConfig({
    providers: [
      { domain: "clerk.example.com", applicationID: "convex" },
      {
        type: "customJwt",
        issuer: "https://auth.example.com",
        jwks: "https://auth.example.com/jwks.json",
        algorithm: "ES256",
      },
      {
        type: "customJwt",
        issuer: "https://a.example.com",
        jwks: "data:text/plain,{}",
        algorithm: "RS256",
        applicationID: "app",
      },
    ],
  });
  assert.deepEqual(providers.map(serializeProvider), [
    { applicationID: "convex", domain: "https://clerk.example.com" },
    {
      type: "customJwt",
      applicationID: null,
      issuer: "https://auth.example.com",
      jwks: "https://auth.example.com/jwks.json",
      algorithm: "ES256",
    },
    {
      type: "customJwt",
      applicationID: "app",
      issuer: "https://a.example.com",
      jwks: "data:text/plain,{}",
      algorithm: "RS256",
    },
  ]);
  // The serialized form parses back to the same providers.
  assert.deepEqual(parseAuthConfig({ providers: providers.map(serializeProvider) }), providers);
  assert.deepEqual(parseAuthConfig({ providers: [] }), []);
});

test("bad configs are rejected with clear messages", () => {
  throwsCode(
    () => parseAuthConfig(undefined),
    "InvalidAuthConfig",
    /must export default an object with a `providers` array/,
  );
  throwsCode(() => parseAuthConfig({ providers: "x" }), "InvalidAuthConfig");
  throwsCode(
    () => parseAuthConfig({ providers: [42] }),
    "InvalidAuthConfig",
    "Auth provider 0 in auth.config.js must be an object",
  );
  throwsCode(
    () => parseAuthConfig({ providers: [{ domain: "https://a.example.com" }] }),
    "InvalidAuthConfig",
    /`applicationID` must be a string \(is it set\?\)/,
  );
  throwsCode(
    () =>
      parseAuthConfig({
        providers: [{ type: "customJwt", issuer: "https://a.example.com", jwks: "x", algorithm: "HS256" }],
      }),
    "InvalidSignatureAlgorithm",
    "Invalid signature algorithm (only RS256 and ES256 are supported): HS256",
  );
  throwsCode(
    () => parseAuthConfig({ providers: [{ type: "saml", domain: "a.example.com", applicationID: "x" }] }),
    "InvalidAuthConfig",
    /unknown type "saml"/,
  );
});
