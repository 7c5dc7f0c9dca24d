/** From an `Authorization` header to the engine's `Identity` (used by the HTTP API). */
import type { Identity } from "../engine/types.js";
import { checkAdminKey, parseAuthorizationHeader } from "./admin.js";
import { authError } from "./errors.js";
import type { AuthVerifier } from "./verifier.js";

export async function resolveIdentity(
  header: string | null | undefined,
  deps: { readonly adminKey: string; readonly verifier: AuthVerifier },
): Promise<Identity> {
  const parsed = parseAuthorizationHeader(header);
  switch (parsed.kind) {
    case "none":
      return { kind: "none" };
    case "user": {
      const { attributes, expiresAt } = await deps.verifier.verify(parsed.token);
      return { kind: "user", attributes, expiresAt, token: parsed.token };
    }
    case "admin":
      if (!checkAdminKey(parsed.key, deps.adminKey)) throw authError.badAdminKey();
      return parsed.actingAs ? { kind: "impersonated", attributes: parsed.actingAs } : { kind: "admin" };
    default:
      return parsed satisfies never;
  }
}
