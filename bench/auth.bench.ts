/**
 * Token verifications/s through `createAuthVerifier` (OIDC provider, warm discovery + JWKS cache)
 * against the ceiling: raw `jose.jwtVerify` of the same tokens with a local key set, same run,
 * same number in flight (docs/architecture.md#measuring-speed).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from "jose";
import { createAuthVerifier } from "../packages/backend/src/auth/index.js";
import type { BenchRow } from "./report.js";

const TOKENS = 200;
const IN_FLIGHT = 32;
const DURATION_MS = 1000;
const ROUNDS = 3;

async function throughput(verify: (token: string) => Promise<unknown>, tokens: string[]): Promise<number> {
  let done = 0;
  const deadline = performance.now() + DURATION_MS;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async (_, lane) => {
      for (let i = lane; performance.now() < deadline; i += IN_FLIGHT) {
        await verify(tokens[i % tokens.length]!);
        done++;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

export default async function bench(): Promise<BenchRow[]> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" }] };
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    if (req.url === "/.well-known/openid-configuration")
      res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/jwks.json` }));
    else res.end(JSON.stringify(jwks));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const now = Math.floor(Date.now() / 1000);
    const tokens = await Promise.all(
      Array.from({ length: TOKENS }, (_, i) =>
        new SignJWT({
          iss: url,
          sub: `user_${i}`,
          aud: "convex",
          iat: now,
          exp: now + 3600,
          email: `u${i}@example.com`,
          name: "User",
        })
          .setProtectedHeader({ alg: "RS256", kid: "k1", typ: "JWT" })
          .sign(privateKey),
      ),
    );
    const verifier = createAuthVerifier({ providers: [{ kind: "oidc", domain: url, applicationID: "convex" }] });
    const local = createLocalJWKSet(jwks);
    const raw = (t: string) => jwtVerify(t, local, { issuer: url, audience: "convex", algorithms: ["RS256"] });
    // Warm both (JWKS fetched, keys imported, JIT warm).
    for (const t of tokens.slice(0, 50)) {
      await verifier.verify(t);
      await raw(t);
    }
    // Alternate short rounds so JIT warm-up and machine noise fall on both sides alike.
    let ceiling = 0;
    let ours = 0;
    for (let r = 0; r < ROUNDS; r++) {
      ceiling += (await throughput(raw, tokens)) / ROUNDS;
      ours += (await throughput((t) => verifier.verify(t), tokens)) / ROUNDS;
    }
    return [
      {
        name: "auth: token verifications (OIDC RS256, warm JWKS cache)",
        value: ours,
        unit: "verifications/s",
        ceiling: { name: "jose.jwtVerify with a local key set", value: ceiling },
        target: "≥ 0.7",
        note: `${IN_FLIGHT} in flight`,
      },
    ];
  } finally {
    server.close();
  }
}
