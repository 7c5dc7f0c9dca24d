/**
 * Phone numbers and SMS codes (`phone_code`): E.164 numbers only, six-digit codes that live ten
 * minutes and allow five tries (the same rules as e-mail codes, `codes.ts`). A verified number
 * signs its user in by code, and one reserved for the second factor makes it required.
 */
import { ApiError } from "../errors.js";
import { CODE_TTL_MS } from "../config.js";
import { newCode, sha256Hex } from "../crypto/secrets.js";
import type { IssuedCode } from "./codes.js";
import type { PhoneRecord, UserRecord } from "../store/types.js";
import type { IdentityService } from "./service.js";

/**
 * `raw` as E.164 (`+` and 8–15 digits, no leading zero). Spaces, dots, dashes and brackets are
 * dropped first, as people type them; anything else is `form_param_format_invalid`.
 */
export function normalizeE164(raw: string, param = "phone_number"): string {
  const compact = raw.trim().replace(/[\s().-]/g, "");
  if (!/^\+[1-9]\d{7,14}$/.test(compact))
    throw new ApiError("form_param_format_invalid", {
      param,
      detail: "Use the international format, e.g. +15555550100.",
    });
  return compact;
}

/** Texts a fresh code to `to` (nothing when `to` is null: enumeration protection). */
export async function issuePhoneCode(
  svc: IdentityService,
  to: string | null,
  purpose: "verify" | "sign_in" | "second_factor",
): Promise<IssuedCode> {
  const code = newCode();
  const what = { verify: "verification", sign_in: "sign-in", second_factor: "verification" }[purpose];
  if (to)
    await svc.sms.send({ to, text: `${code} is your ${svc.appName} ${what} code. It expires in 10 minutes.`, code });
  return { codeHash: sha256Hex(code), expireAt: svc.now() + CODE_TTL_MS, attempts: 0 };
}

export const verifiedPhones = (u: UserRecord) => (u.phones ?? []).filter((p) => p.verified);

/** The number second-factor codes go to: the default reserved one, else any reserved one. */
export function secondFactorPhone(u: UserRecord): PhoneRecord | null {
  const reserved = verifiedPhones(u).filter((p) => p.reservedForSecondFactor);
  return reserved.find((p) => p.defaultSecondFactor) ?? reserved[0] ?? null;
}

/** A masked number for sign-in factors: `+*******0100`. */
export const safePhone = (phone: string) =>
  phone.slice(0, 1) + "*".repeat(Math.max(0, phone.length - 5)) + phone.slice(-4);
