/**
 * One-time e-mail codes: six digits, ten minutes, five tries. Only a SHA-256 of the code is kept;
 * the code itself exists in the outgoing e-mail (and the dev inbox) only.
 */
import { ApiError } from "../errors.js";
import { CODE_TTL_MS, MAX_CODE_ATTEMPTS } from "../config.js";
import { newCode, safeEqual, sha256Hex } from "../crypto/secrets.js";
import { templates } from "../mail/mailer.js";
import type { IdentityService } from "./service.js";

export type CodePurpose = keyof typeof templates;

export interface IssuedCode {
  codeHash: string;
  expireAt: number;
  attempts: number;
}

export async function issueCode(svc: IdentityService, to: string, purpose: CodePurpose): Promise<IssuedCode> {
  const code = newCode();
  const { subject, text } = templates[purpose](code, svc.appName);
  await svc.mailer.send({ to, subject, text, code });
  return { codeHash: sha256Hex(code), expireAt: svc.now() + CODE_TTL_MS, attempts: 0 };
}

export type CodeCheck = "ok" | "incorrect";

/**
 * Checks `code` against a pending one. Throws when the code has expired or is used up; returns
 * "incorrect" (and the caller stores the bumped attempt count) on a wrong code.
 */
export function checkCode(svc: IdentityService, pending: IssuedCode | null, code: string): CodeCheck {
  if (!pending) throw new ApiError("verification_missing", { param: "code" });
  if (pending.expireAt <= svc.now()) throw new ApiError("verification_expired", { param: "code" });
  if (pending.attempts >= MAX_CODE_ATTEMPTS) throw new ApiError("verification_failed", { param: "code" });
  return safeEqual(pending.codeHash, sha256Hex(code.trim())) ? "ok" : "incorrect";
}
