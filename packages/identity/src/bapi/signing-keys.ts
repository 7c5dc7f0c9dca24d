/**
 * Backend API: the instance's signing keys and rotation on demand (secret key only, like every
 * Backend API route). Clerk has no such route; it is shaped like its others:
 * `GET /v1/signing_keys` → `{data: [signing_key…], total_count}` and
 * `POST /v1/signing_keys/rotate` → `{object: "signing_key_rotation", kid, retired, signing_keys}`.
 * A rotated-out key stays in the JWKS until the longest token it can have signed has expired.
 */
import { ok } from "../http/context.js";
import type { IdentityService } from "../domain/service.js";
import type { SigningKeyState } from "../crypto/keyring.js";
import type { BapiHandler } from "./users.js";

function keyJSON(k: SigningKeyState) {
  return {
    object: "signing_key",
    kid: k.kid,
    status: k.status,
    algorithm: "RS256",
    created_at: k.createdAt,
    retired_at: k.retiredAt,
    removed_at: k.removedAt,
  };
}

async function listed(svc: IdentityService) {
  return (await svc.keys.list(svc.now())).map(keyJSON);
}

export const listSigningKeys: BapiHandler = async (svc) => {
  const data = await listed(svc);
  return ok({ data, total_count: data.length });
};

export const rotateSigningKey: BapiHandler = async (svc) => {
  const before = (await svc.keys.list(svc.now())).filter((k) => k.status === "active").map((k) => k.kid);
  const kid = await svc.keys.rotate(svc.now());
  svc.logger.info("signing key rotated", { kid, retired: before });
  return ok({ object: "signing_key_rotation", kid, retired: before, signing_keys: await listed(svc) });
};
