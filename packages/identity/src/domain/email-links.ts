/**
 * Magic links (`email_link`): a link to `/v1/verify?token=<flow id>.<secret>` that verifies the
 * e-mail address of the sign-in or sign-up that asked for it. Only a SHA-256 of the secret is
 * stored; a link works once, for ten minutes, and only for its own flow (the id is part of the
 * token and the secret is checked against that flow's record). The browser goes back to the
 * `redirect_url` the asking page gave, which must be on that page's own origin (no open redirect).
 */
import { ApiError } from "../errors.js";
import { CODE_TTL_MS } from "../config.js";
import { randomToken, safeEqual, sha256Hex } from "../crypto/secrets.js";
import type { PendingLink } from "../store/types.js";
import type { IdentityService } from "./service.js";

export type LinkPurpose = "sign_in" | "sign_up";

const templates = {
  sign_in: (url: string, app: string) => ({
    subject: `Your ${app} sign-in link`,
    text: `Sign in to ${app} by opening this link:\n\n${url}\n\nIt works once and expires in 10 minutes. If you did not try to sign in, ignore this e-mail.`,
  }),
  sign_up: (url: string, app: string) => ({
    subject: `Verify your e-mail address for ${app}`,
    text: `Verify your e-mail address by opening this link:\n\n${url}\n\nIt works once and expires in 10 minutes. If you did not sign up, ignore this e-mail.`,
  }),
} satisfies Record<LinkPurpose, (url: string, app: string) => { subject: string; text: string }>;

/**
 * The `redirect_url` a page asked for, if it is an absolute http(s) URL on the page's own origin
 * (or, without an Origin header as native apps send, on the identity service's own origin).
 */
export function checkRedirectUrl(svc: IdentityService, raw: string, requestOrigin: string | undefined): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ApiError("form_param_format_invalid", { param: "redirect_url" });
  }
  const allowed = requestOrigin ?? new URL(svc.issuer).origin;
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.origin !== allowed)
    throw new ApiError("form_param_value_invalid", {
      param: "redirect_url",
      detail: "The redirect URL must be on the page's own origin.",
    });
  return url.href;
}

/** Sends a fresh link for the flow `flowId` to `to` (nothing is sent when `to` is null: enumeration protection). */
export async function sendEmailLink(
  svc: IdentityService,
  to: string | null,
  flowId: string,
  purpose: LinkPurpose,
  redirectUrl: string,
): Promise<PendingLink> {
  const secret = randomToken(32);
  const url = `${svc.issuer}/v1/verify?token=${encodeURIComponent(`${flowId}.${secret}`)}`;
  if (to) {
    const { subject, text } = templates[purpose](url, svc.appName);
    await svc.mailer.send({ to, subject, text, code: null });
  }
  return { secretHash: sha256Hex(secret), expireAt: svc.now() + CODE_TTL_MS, redirectUrl, status: "unverified" };
}

/** `<flow id>.<secret>` from a link, or null when it cannot be one. */
export function parseLinkToken(token: string | null): { flowId: string; secret: string } | null {
  const m = token ? /^((?:sia|sua)_[0-9A-Za-z]{1,64})\.([A-Za-z0-9_-]{20,100})$/.exec(token) : null;
  return m ? { flowId: m[1]!, secret: m[2]! } : null;
}

/** What a click on a link with `secret` does to `link`: verifies it, or says why not. */
export function checkLink(
  svc: IdentityService,
  link: PendingLink | null | undefined,
  secret: string,
): "verified" | "expired" | "failed" {
  if (!link || !safeEqual(link.secretHash, sha256Hex(secret))) return "failed";
  // A spent link reads as expired, as Clerk's do.
  if (link.status !== "unverified" || link.expireAt <= svc.now()) return "expired";
  return "verified";
}

/** The page to send the browser back to, with Clerk's `__clerk_status` (and the new session, for the same browser). */
export function linkReturnUrl(
  redirectUrl: string,
  status: "verified" | "expired" | "failed" | "client_mismatch",
  createdSessionId?: string | null,
): string {
  const url = new URL(redirectUrl);
  url.searchParams.set("__clerk_status", status);
  if (createdSessionId) url.searchParams.set("__clerk_created_session", createdSessionId);
  return url.href;
}
