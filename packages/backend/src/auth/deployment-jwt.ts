/**
 * Deployment-issued JWTs (`ctx.auth.signJwt` in mutations, convex 1.48): an ES256 key pair the
 * deployment keeps in its store (so every node shares it), the public half served at
 * `${CONVEX_CLOUD_URL}/.well-known/jwks.json`, and the signing with Convex's documented rules:
 * the deployment sets `iss` (the cloud URL, plus `/components/<path>` for a component), `iat` and
 * `exp`; `iss`/`iat`/`exp`/`nbf` and claims starting with `convex` or `cvx` (any case) may not be
 * set; the lifetime is 1 s to 1 h. `@convex-dev/auth` 2 mints its access tokens this way.
 */
import { createHash, createPrivateKey, generateKeyPairSync, sign, type JsonWebKey, type KeyObject } from "node:crypto";
import type { Storage } from "@tandem/storage";

/** The private key as a JWK (it crosses to function threads), with its key id. */
export interface DeploymentSigningKey {
  readonly kid: string;
  readonly jwk: JsonWebKey;
}

export interface SignJwtRequest {
  readonly issuer: string;
  readonly claims: unknown;
  readonly expiresInSeconds: unknown;
  readonly nowMs: number;
}

const META_KEY = "deployment_jwt_signing_key";
const RESERVED = new Set(["iss", "iat", "exp", "nbf"]);
const MAX_LIFETIME_S = 3600;

/** The stored key, or a new one saved first (a node that lost the race uses the winner's). */
export async function loadOrCreateDeploymentKey(storage: Storage): Promise<DeploymentSigningKey> {
  const stored = await storage.getMeta(META_KEY);
  if (stored !== null) return JSON.parse(stored) as DeploymentSigningKey;
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = privateKey.export({ format: "jwk" });
  await storage.setMeta(META_KEY, JSON.stringify({ kid: thumbprint(jwk), jwk } satisfies DeploymentSigningKey));
  return JSON.parse((await storage.getMeta(META_KEY))!) as DeploymentSigningKey;
}

/** RFC 7638 thumbprint of the public key: a stable `kid`. */
function thumbprint(jwk: JsonWebKey): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash("sha256").update(canonical).digest("base64url");
}

/** The JWKS document: the public half only. */
export function deploymentJwks(key: DeploymentSigningKey): { keys: JsonWebKey[] } {
  const { kty, crv, x, y } = key.jwk;
  return { keys: [{ kty, crv, x, y, kid: key.kid, alg: "ES256", use: "sig" }] };
}

const keyObjects = new Map<string, KeyObject>();
function keyObject(key: DeploymentSigningKey): KeyObject {
  let k = keyObjects.get(key.kid);
  if (!k) {
    k = createPrivateKey({ key: key.jwk, format: "jwk" });
    keyObjects.set(key.kid, k);
  }
  return k;
}

/** The signed token, or an Error whose message says which rule the request broke. */
export function signDeploymentJwt(key: DeploymentSigningKey, req: SignJwtRequest): string {
  const ttl = req.expiresInSeconds;
  if (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl < 1 || ttl > MAX_LIFETIME_S)
    throw new Error(`signJwt: \`expiresInSeconds\` must be a number from 1 to ${MAX_LIFETIME_S} (1 hour).`);
  const claims = req.claims ?? {};
  if (typeof claims !== "object" || claims === null || Array.isArray(claims))
    throw new Error("signJwt: `claims` must be an object.");
  for (const name of Object.keys(claims)) {
    if (RESERVED.has(name)) throw new Error(`signJwt: the \`${name}\` claim is set by Convex and may not be passed.`);
    if (/^(convex|cvx)/i.test(name))
      throw new Error(`signJwt: claim names starting with "convex" or "cvx" are reserved (\`${name}\`).`);
  }
  const iat = Math.floor(req.nowMs / 1000);
  const header = { alg: "ES256", typ: "JWT", kid: key.kid };
  const payload = { ...claims, iss: req.issuer, iat, exp: iat + Math.floor(ttl) };
  const input = `${b64(header)}.${b64(payload)}`;
  const signature = sign("sha256", Buffer.from(input), { key: keyObject(key), dsaEncoding: "ieee-p1363" });
  return `${input}.${signature.toString("base64url")}`;
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
