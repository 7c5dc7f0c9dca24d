/**
 * A real OIDC issuer for tests: an RS256 key pair, `/.well-known/openid-configuration` and
 * `/.well-known/jwks.json` on a port of its own, and a `sign()` for tokens it issues.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from "jose";

export interface TestIssuer {
  readonly url: string;
  sign(
    claims: JWTPayload & { sub: string },
    options?: { audience?: string; expiresIn?: string | number },
  ): Promise<string>;
  /** While down, every request gets 503 (an issuer that is unreachable for a while). */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  let down = false;
  const server = createServer((req, res) => {
    if (down) return void res.writeHead(503).end();
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (req.url === "/.well-known/openid-configuration") {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/.well-known/jwks.json` }));
    } else if (req.url === "/.well-known/jwks.json") {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    sign: (claims, options = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .setIssuer(url)
        .setAudience(options.audience ?? "convex")
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? "1m")
        .sign(privateKey),
    setDown: (d) => {
      down = d;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
