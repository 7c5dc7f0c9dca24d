/**
 * A real OIDC issuer for the tests: `node:http` on 127.0.0.1 (port 0), serving
 * `/.well-known/openid-configuration` and `/jwks.json` with keys made by jose. Keys can rotate,
 * and the issuer can be stopped and started again on the same port.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from "jose";

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

export interface SigningKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: PrivateKey;
  readonly jwk: JWK;
}

export async function makeKey(alg: "RS256" | "ES256" | "EdDSA", kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { kid, alg, privateKey, jwk };
}

export async function sign(key: SigningKey, claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT", ...header })
    .sign(key.privateKey);
}

export class TestIssuer {
  keys: SigningKey[] = [];
  requests = { discovery: 0, jwks: 0 };
  /** When set, every response is delayed this long (to observe coalescing). */
  delayMs = 0;
  #server: Server | null = null;
  #port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  static async start(alg: "RS256" | "EdDSA" = "RS256"): Promise<TestIssuer> {
    const issuer = new TestIssuer();
    issuer.keys = [await makeKey(alg, "key-1")];
    await issuer.listen();
    return issuer;
  }

  async listen(): Promise<void> {
    const server = createServer((req, res) => {
      const reply = () => {
        if (req.url === "/.well-known/openid-configuration") {
          this.requests.discovery++;
          res.writeHead(200, { "content-type": "application/json" });
          res.end(
            JSON.stringify({
              issuer: this.url,
              jwks_uri: `${this.url}/jwks.json`,
              id_token_signing_alg_values_supported: ["RS256"],
            }),
          );
        } else if (req.url === "/jwks.json") {
          this.requests.jwks++;
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ keys: this.keys.map((k) => k.jwk) }));
        } else {
          res.writeHead(404).end();
        }
      };
      if (this.delayMs) setTimeout(reply, this.delayMs);
      else reply();
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.#port, "127.0.0.1", () => resolve());
    });
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Adds a new signing key; with `retire`, the old ones are no longer published. */
  async rotate(kid: string, retire = false): Promise<SigningKey> {
    const key = await makeKey(this.keys[0]!.alg as "RS256", kid);
    this.keys = retire ? [key] : [key, ...this.keys];
    return key;
  }

  get current(): SigningKey {
    return this.keys[0]!;
  }
}

/** A settable clock in ms. */
export function clock(start = Date.now()) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms), seconds: () => Math.floor(t / 1000) };
}
