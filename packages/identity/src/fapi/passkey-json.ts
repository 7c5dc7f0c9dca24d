/** A passkey in the Frontend API's shape (`/v1/me` and the passkey endpoints). */
import type { PasskeyRecord } from "../store/types.js";

export function passkeyJSON(p: PasskeyRecord, nonce: string | null = null) {
  return {
    object: "passkey",
    id: p.id,
    name: p.name,
    last_used_at: p.lastUsedAt,
    verification: p.credentialId
      ? {
          object: "verification",
          status: "verified",
          strategy: "passkey",
          attempts: null,
          expire_at: null,
          nonce: null,
        }
      : {
          object: "verification",
          status: "unverified",
          strategy: "passkey",
          attempts: 0,
          expire_at: p.pending?.expireAt ?? null,
          nonce,
        },
    created_at: p.createdAt,
    updated_at: p.lastUsedAt ?? p.createdAt,
  };
}
