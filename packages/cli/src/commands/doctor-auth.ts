/**
 * `tandem doctor auth`: why the backend refuses a user's token, with the fix. Reads the reasons
 * the backend kept for the last rejected tokens (`_system/tandem/authRejections`), or diagnoses
 * one token given with `--token` (`_system/tandem/diagnoseToken`). Never prints a token.
 */
import type { RejectionReason } from "@tandem/backend";
import { resolveDeployment, runFunction, type DeploymentFlags } from "../deployment.js";
import type { Io } from "../io.js";

export interface DoctorAuthFlags extends DeploymentFlags {
  token?: string;
  limit?: string;
}

interface Rejection {
  readonly at: number;
  readonly reason: RejectionReason;
  readonly subject: string | null;
  readonly message: string;
}

interface Report {
  readonly now: number;
  readonly pushed: boolean;
  readonly providers: ReadonlyArray<{ describe?: string; error?: string }>;
  readonly rejections: readonly Rejection[];
}

const time = (s: number) => new Date(s * 1000).toISOString();
const list = (xs: readonly string[]) => (xs.length ? xs.map((x) => JSON.stringify(x)).join(", ") : "(none)");

/** A one-line cause and the fix to make, per reason. */
export function explain(r: RejectionReason): { cause: string; fix: string } {
  switch (r.kind) {
    case "malformed":
      return {
        cause: `The token is not a usable JWT: ${r.detail}`,
        fix: 'Pass the session token from your auth provider (e.g. Clerk\'s `getToken({ template: "convex" })`), not another string.',
      };
    case "noProviders":
      return {
        cause: "The deployment has no auth providers: convex/auth.config.ts is missing or was not pushed.",
        fix: "Add convex/auth.config.ts with your issuer and run `npx convex dev` (or `tandem dev`) to push it.",
      };
    case "issuerMismatch":
      return {
        cause: `Issuer mismatch: the token's iss is ${JSON.stringify(r.tokenIssuer)} but auth.config.ts accepts ${list(r.configuredIssuers)}.`,
        fix: `Set the provider's domain in convex/auth.config.ts (usually its env var, e.g. \`npx convex env set CLERK_JWT_ISSUER_DOMAIN ${r.tokenIssuer}\`) to ${JSON.stringify(r.tokenIssuer)} and push again.`,
      };
    case "configNotPushed":
      return {
        cause: `auth.config.ts was not pushed after an env change: ${r.envVar} is now ${JSON.stringify(r.tokenIssuer)}, but the pushed config still accepts ${list(r.configuredIssuers)}.`,
        fix: "Push again (`npx convex dev` or `npx convex deploy`) so auth.config.ts is evaluated with the new value.",
      };
    case "audienceMismatch":
      return {
        cause: `Audience mismatch: the token's aud is ${list(r.tokenAudiences)} but the provider's applicationID is ${list(r.applicationIDs)}.`,
        fix: `Issue tokens with aud ${JSON.stringify(r.applicationIDs[0] ?? "convex")} (Clerk: a JWT template named "convex"), or set applicationID in convex/auth.config.ts to the token's aud and push.`,
      };
    case "expired":
      return {
        cause: `The token expired at ${time(r.expiredAt)} (${Math.round(r.now - r.expiredAt)} s before the backend checked it).`,
        fix: "Let the client refresh tokens: pass a fetchToken that honours forceRefreshToken (ConvexProviderWithClerk does), and check the backend's clock if fresh tokens are refused too.",
      };
    case "notYetValid":
      return {
        cause: `The token is not valid yet: nbf is ${time(r.notBefore)}, ${Math.round(r.notBefore - r.now)} s after the backend's clock.`,
        fix: "Synchronise the clocks of the issuer and the backend host (NTP), or stop setting nbf in the future.",
      };
    case "clockSkew":
      return {
        cause: `Clock skew: the token was issued at ${time(r.issuedAt)}, ${r.skewSeconds} s ahead of the backend's clock (${time(r.now)}).`,
        fix: "Synchronise the backend host's clock (NTP); the issuer and the backend must agree to within a few seconds.",
      };
    case "unknownKid":
      return {
        cause: `Unknown signing key: the token's kid ${JSON.stringify(r.kid)} is not in the JWKS of ${r.issuer}.`,
        fix: "The token was signed by another instance or a rotated-out key: sign in again, and check that the issuer URL in auth.config.ts is the instance that issues the tokens.",
      };
    case "jwksUnreachable":
      return {
        cause: `JWKS unreachable: the backend could not fetch the keys of ${r.issuer} (${r.detail}).`,
        fix: `Check that ${r.issuer}/.well-known/openid-configuration and its jwks_uri answer from the backend's host (DNS, firewall, proxy, TLS).`,
      };
    case "other":
      return {
        cause: `Refused (${r.code}): ${r.detail}`,
        fix: "Check the token's signature algorithm and claims against the provider in convex/auth.config.ts.",
      };
    default:
      return r satisfies never;
  }
}

function print(io: Io, reason: RejectionReason, header: string): void {
  const { cause, fix } = explain(reason);
  io.out(`✗ ${header}[${reason.kind}] ${cause}`);
  io.out(`  Fix: ${fix}`);
}

export async function doctorAuth(flags: DoctorAuthFlags, io: Io): Promise<number> {
  const d = resolveDeployment(flags);
  if (flags.token !== undefined) {
    const r = (await runFunction(d, "_system/tandem/diagnoseToken", { token: flags.token })) as
      { ok: true; subject: string } | { ok: false; reason: RejectionReason; message: string };
    if (r.ok) {
      io.out(`✓ The backend accepts this token (subject ${JSON.stringify(r.subject)}).`);
      return 0;
    }
    print(io, r.reason, "");
    return 1;
  }
  const report = (await runFunction(d, "_system/tandem/authRejections", {})) as Report;
  io.out(
    report.pushed
      ? `Auth providers: ${report.providers.map((p) => p.describe ?? p.error ?? "?").join(", ") || "(none)"}`
      : "No functions pushed yet.",
  );
  const limit = flags.limit !== undefined ? Math.max(1, Number.parseInt(flags.limit, 10) || 1) : 10;
  const shown = report.rejections.slice(0, limit);
  if (shown.length === 0) {
    io.out("✓ No rejected tokens since the backend started.");
    io.out(
      '  If a signed-in user still gets no identity, the client is not sending a token: check that ConvexProviderWithClerk (or setAuth) wraps the app and that fetchToken asks for the "convex" template.',
    );
    return 0;
  }
  io.out(`Last ${shown.length} rejected token${shown.length === 1 ? "" : "s"} (newest first):`);
  for (const r of shown) print(io, r.reason, `${new Date(r.at).toISOString()} ${r.subject ? `sub=${r.subject} ` : ""}`);
  return 1;
}
