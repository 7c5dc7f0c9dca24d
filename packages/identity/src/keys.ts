/**
 * Publishable and secret keys (docs/identity-api.md#keys). The publishable key is `pk_test_`/`pk_live_` +
 * unpadded base64 of `"<host>[/path]$"`, which clerk-js decodes to find the Frontend API.
 */
import type { InstanceKind } from "./store/types.js";
import { randomBase62 } from "./ids.js";

export function publishableKey(kind: InstanceKind, issuer: string): string {
  const u = new URL(issuer);
  const hostPath = u.host + u.pathname.replace(/\/+$/, "");
  const prefix = kind === "production" ? "pk_live_" : "pk_test_";
  return (
    prefix +
    Buffer.from(hostPath + "$")
      .toString("base64")
      .replace(/=+$/, "")
  );
}

/** The Frontend API host (and path) a publishable key encodes; `null` when it is not one. */
export function parsePublishableKey(key: string): { kind: InstanceKind; frontendApi: string } | null {
  const m = /^pk_(test|live)_([A-Za-z0-9+/]+)$/.exec(key);
  if (!m) return null;
  const decoded = Buffer.from(m[2]!, "base64").toString("utf8");
  if (!decoded.endsWith("$") || decoded.slice(0, -1).includes("$")) return null;
  return { kind: m[1] === "live" ? "production" : "development", frontendApi: decoded.slice(0, -1) };
}

export const newSecretKey = (kind: InstanceKind) =>
  (kind === "production" ? "sk_live_" : "sk_test_") + randomBase62(40);
