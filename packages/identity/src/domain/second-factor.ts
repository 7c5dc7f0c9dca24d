/**
 * TOTP (RFC 6238: SHA-1, six digits, 30 s) and backup codes as Clerk has them. A user has at most
 * one TOTP; it counts as a second factor once a first code has verified it. Verifying it (or
 * asking again) issues ten backup codes, each good once; only their SHA-256 digests are kept.
 * A TOTP code is accepted for the current step ±1 and never twice (the last used step is stored).
 */
import { randomInt } from "node:crypto";
import * as OTPAuth from "otpauth";
import { ApiError } from "../errors.js";
import { newId } from "../ids.js";
import { sha256Hex } from "../crypto/secrets.js";
import type { TotpRecord, UserRecord } from "../store/types.js";
import { primaryEmail } from "../tokens/user-claims.js";
import type { IdentityService } from "./service.js";
import { checkCode, type IssuedCode } from "./codes.js";
import { secondFactorPhone } from "./phones.js";

const PERIOD = 30;
const BACKUP_CODE_COUNT = 10;
const BACKUP_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

export type SecondFactorStrategy = "totp" | "backup_code" | "phone_code";
export const parseSecondFactor = (raw: string): SecondFactorStrategy => {
  if (raw === "totp" || raw === "backup_code" || raw === "phone_code") return raw;
  throw new ApiError("strategy_for_user_invalid", { param: "strategy" });
};

/** Whether `user` must pass a second factor after the first (TOTP, or a phone number reserved for it). */
export const hasSecondFactor = (user: UserRecord) =>
  Boolean(user.secondFactors?.totp) || secondFactorPhone(user) !== null;

function totpOf(svc: IdentityService, user: UserRecord, secret: string) {
  return new OTPAuth.TOTP({
    issuer: svc.appName,
    label: primaryEmail(user)?.email ?? user.username ?? user.id,
    algorithm: "SHA1",
    digits: 6,
    period: PERIOD,
    secret: OTPAuth.Secret.fromBase32(secret),
  });
}

export const totpUri = (svc: IdentityService, user: UserRecord, t: TotpRecord) =>
  totpOf(svc, user, t.secret).toString();

/** A new, unverified TOTP secret for `user` (replacing an unverified one; a verified one must be disabled first). */
export async function createTotp(svc: IdentityService, user: UserRecord): Promise<TotpRecord> {
  const existing = await svc.store.getTotp(svc.instanceId, user.id);
  if (existing?.verified)
    throw new ApiError("form_param_value_invalid", {
      param: "totp",
      detail: "An authenticator app is already set up; remove it first.",
    });
  const now = svc.now();
  const row: TotpRecord = {
    id: newId.totp(),
    instanceId: svc.instanceId,
    userId: user.id,
    secret: new OTPAuth.Secret({ size: 20 }).base32,
    verified: false,
    lastUsedStep: null,
    createdAt: now,
    updatedAt: now,
  };
  await svc.store.saveTotp(row);
  return row;
}

/**
 * Checks a TOTP code against `t`. Anything but a current, unused six-digit code is
 * `form_code_incorrect` (the caller counts the failure).
 */
export async function checkTotp(svc: IdentityService, user: UserRecord, t: TotpRecord, code: string): Promise<boolean> {
  const token = code.trim();
  if (!/^\d{6}$/.test(token)) return false;
  const now = svc.now();
  const delta = totpOf(svc, user, t.secret).validate({ token, timestamp: now, window: 1 });
  if (delta === null) return false;
  return svc.store.useTotpStep(svc.instanceId, user.id, Math.floor(now / 1000 / PERIOD) + delta);
}

/** Ten fresh backup codes (8 characters of a-z0-9), replacing any earlier set. Returned once, in clear. */
export async function issueBackupCodes(svc: IdentityService, user: UserRecord): Promise<string[]> {
  const codes = Array.from({ length: BACKUP_CODE_COUNT }, () =>
    Array.from({ length: 8 }, () => BACKUP_ALPHABET[randomInt(BACKUP_ALPHABET.length)]).join(""),
  );
  await svc.store.replaceBackupCodes(svc.instanceId, user.id, codes.map(sha256Hex), svc.now());
  return codes;
}

export async function consumeBackupCode(svc: IdentityService, user: UserRecord, code: string): Promise<boolean> {
  const c = code.trim().toLowerCase();
  if (!/^[a-z0-9]{8}$/.test(c)) return false;
  return svc.store.consumeBackupCode(svc.instanceId, user.id, sha256Hex(c), svc.now());
}

/**
 * Checks a second-factor code of any kind (`pendingSms`: the code texted for `phone_code`);
 * throws `form_code_incorrect` (after counting the failure) when wrong.
 */
export async function verifySecondFactor(
  svc: IdentityService,
  user: UserRecord,
  strategy: SecondFactorStrategy,
  code: string,
  pendingSms: IssuedCode | null,
): Promise<void> {
  await svc.assertCanSignIn(user);
  let ok = false;
  switch (strategy) {
    case "phone_code":
      ok = checkCode(svc, pendingSms, code) === "ok";
      break;
    case "totp": {
      const t = await svc.store.getTotp(svc.instanceId, user.id);
      ok = Boolean(t?.verified) && (await checkTotp(svc, user, t!, code));
      break;
    }
    case "backup_code":
      ok = await consumeBackupCode(svc, user, code);
      break;
    default:
      strategy satisfies never;
  }
  if (!ok) {
    await svc.recordFailure(user);
    throw new ApiError("form_code_incorrect", { param: "code" });
  }
  await svc.recordSuccess(user);
}
