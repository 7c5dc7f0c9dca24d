/**
 * After the deployment's auth providers change, every session authenticated with a user token is
 * verified again; a token the new providers refuse ends that session's authentication as an
 * expiry does (AuthError, then close), so the client fetches a fresh token or signs out. An
 * issuer that cannot be reached right now keeps its sessions: it is still configured.
 */
import { isTandemError } from "@tandem/shared";
import type { SyncConnection } from "./connection.js";

export async function recheckUsers(
  connections: Iterable<SyncConnection>,
  authenticateUser: (token: string) => Promise<unknown>,
): Promise<number> {
  const checks: Promise<boolean>[] = [];
  for (const conn of connections) {
    const token = conn.userToken;
    if (token === null) continue;
    checks.push(
      authenticateUser(token).then(
        () => false,
        (e: unknown) => {
          if (isTandemError(e) && e.code === "AuthProviderDiscoveryFailed") return false;
          return conn.revokeUser(token, isTandemError(e) ? e.message : "Could not verify the token.");
        },
      ),
    );
  }
  return (await Promise.all(checks)).filter(Boolean).length;
}
