/** The `phone_number` resource in Clerk's JSON shape. */
import type { PhoneRecord } from "../store/types.js";

export function phoneJSON(p: PhoneRecord) {
  return {
    object: "phone_number",
    id: p.id,
    phone_number: p.phone,
    reserved_for_second_factor: p.reservedForSecondFactor,
    default_second_factor: p.defaultSecondFactor,
    reserved: false,
    verification: p.verified
      ? { object: "verification", status: "verified", strategy: "phone_code", attempts: null, expire_at: null }
      : p.code
        ? {
            object: "verification",
            status: "unverified",
            strategy: "phone_code",
            attempts: p.code.attempts,
            expire_at: p.code.expireAt,
          }
        : null,
    linked_to: [],
    backup_codes: null,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}
