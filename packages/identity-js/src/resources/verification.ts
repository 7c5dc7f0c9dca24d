/** Verifications and e-mail addresses in the camelCase shapes of clerk-js resources. */
import type { EmailAddressJSON, VerificationJSON } from "./json.js";

export type VerificationStatus = "unverified" | "verified" | "transferable" | "failed" | "expired";

export interface Verification {
  readonly status: VerificationStatus;
  readonly strategy: string | null;
  readonly attempts: number | null;
  readonly expireAt: Date | null;
  readonly nextAction: string;
  readonly supportedStrategies: string[];
}

const STATUSES: readonly string[] = ["unverified", "verified", "transferable", "failed", "expired"];

export function verification(json: VerificationJSON | null | undefined): Verification | null {
  if (!json) return null;
  return {
    status: (STATUSES.includes(json.status) ? json.status : "unverified") as VerificationStatus,
    strategy: json.strategy ?? null,
    attempts: json.attempts ?? null,
    expireAt: json.expire_at ? new Date(json.expire_at) : null,
    nextAction: json.next_action ?? "",
    supportedStrategies: json.supported_strategies ?? [],
  };
}

export interface EmailAddress {
  readonly id: string;
  readonly emailAddress: string;
  readonly verification: Verification | null;
  toString(): string;
}

export function emailAddress(json: EmailAddressJSON): EmailAddress {
  return {
    id: json.id,
    emailAddress: json.email_address,
    verification: verification(json.verification),
    toString: () => json.email_address,
  };
}
