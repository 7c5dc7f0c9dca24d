/**
 * The Frontend API route table (paths relative to the issuer; docs/identity-api.md#frontend-api). Each route lists its
 * steps before its endpoint: rate limits (`steps/rate-limit.ts`), loading the client's own record
 * (`steps/load-own.ts`) and status preconditions (`steps/require-status.ts`).
 */
import type { Router } from "../http/router.js";
import type { FapiHandler } from "./outcome.js";
import { environmentJSON, socialJSON } from "./environment.js";
import { oauthCallback } from "./oauth.js";
import { attemptFirstFactor, createSignIn, getSignIn, prepareFirstFactor, resetPassword } from "./sign-ins.js";
import { attemptVerification, createSignUp, getSignUp, prepareVerification, updateSignUp } from "./sign-ups.js";
import {
  endSession,
  getSession,
  mintSessionToken,
  mintTemplateToken,
  removeSession,
  signOutAll,
  touchSession,
} from "./sessions.js";
import { changeMyPassword, deleteMe, getMe, updateMe } from "./me.js";
import { attemptSecondFactor, prepareSecondFactor } from "./sign-in-second-factor.js";
import { createMyBackupCodes, createMyTotp, disableMyTotp, verifyMyTotp } from "./me-second-factors.js";
import { verifyEmailLink } from "./email-link.js";
import { createMyPasskey, deleteMyPasskey, updateMyPasskey, verifyMyPasskey } from "./passkeys.js";
import { createMyExternalAccount, deleteMyExternalAccount } from "./me-external-accounts.js";
import { attemptMyPhone, createMyPhone, deleteMyPhone, prepareMyPhone, updateMyPhone } from "./me-phone-numbers.js";
import { Routes, type Endpoint } from "./steps/pipeline.js";
import { acceptMyInvitation, createMyOrganization, getMyInvitations, getMyMemberships } from "./organizations.js";
import {
  addOrgMember,
  inviteOrgMember,
  listOrgInvitations,
  listOrgMembers,
  removeOrgMember,
  updateOrgMember,
} from "./organization-members.js";
import { loadActiveSession, loadCurrentSession, loadSession, loadSignIn, loadSignUp } from "./steps/load-own.js";
import { rateLimitIdentifier, rateLimitIp, rateLimitSignUpEmail } from "./steps/rate-limit.js";
import { refuseIfComplete, requireStatus } from "./steps/require-status.js";

const environment: Endpoint<undefined> = async ({ svc }) => ({
  kind: "bare",
  body: environmentJSON(
    svc.instance.kind,
    svc.appName,
    svc.issuer,
    socialJSON(svc.oauth.keys().map((key) => ({ key, name: svc.oauth.nameOf(key) }))),
  ),
});
const getClient: Endpoint<undefined> = async () => ({ kind: "client" });
const createClient: Endpoint<undefined> = async ({ ctx }) => (await ctx.ensure(), { kind: "client" });

export function fapiRouter(): Router<FapiHandler> {
  return (
    new Routes()
      .add("GET", "/v1/environment", [], environment)
      .add("PATCH", "/v1/environment", [], environment)
      .add("GET", "/v1/client", [], getClient)
      .add("POST", "/v1/client", [], createClient)
      .add("PUT", "/v1/client", [], createClient)
      .add("DELETE", "/v1/client", [], signOutAll)
      .add("POST", "/v1/client/sign_ins", [rateLimitIp], createSignIn)
      .add("GET", "/v1/client/sign_ins/:id", [loadSignIn], getSignIn)
      .add(
        "POST",
        "/v1/client/sign_ins/:id/prepare_first_factor",
        [rateLimitIp, loadSignIn, requireStatus("needs_first_factor"), rateLimitIdentifier],
        prepareFirstFactor,
      )
      .add(
        "POST",
        "/v1/client/sign_ins/:id/attempt_first_factor",
        [rateLimitIp, loadSignIn, refuseIfComplete, requireStatus("needs_first_factor"), rateLimitIdentifier],
        attemptFirstFactor,
      )
      // Second factors (TOTP, backup codes).
      .add(
        "POST",
        "/v1/client/sign_ins/:id/prepare_second_factor",
        [rateLimitIp, loadSignIn, requireStatus("needs_second_factor")],
        prepareSecondFactor,
      )
      .add(
        "POST",
        "/v1/client/sign_ins/:id/attempt_second_factor",
        [rateLimitIp, loadSignIn, refuseIfComplete, requireStatus("needs_second_factor"), rateLimitIdentifier],
        attemptSecondFactor,
      )
      .add("GET", "/v1/verify", [rateLimitIp], verifyEmailLink)
      .add("GET", "/v1/oauth_callback", [rateLimitIp], oauthCallback)
      .add("POST", "/v1/me/totp", [loadCurrentSession], createMyTotp)
      .add("POST", "/v1/me/totp/attempt_verification", [rateLimitIp, loadCurrentSession], verifyMyTotp)
      .add("DELETE", "/v1/me/totp", [loadCurrentSession], disableMyTotp)
      .add("POST", "/v1/me/backup_codes", [loadCurrentSession], createMyBackupCodes)
      .add("POST", "/v1/me/passkeys", [loadCurrentSession], createMyPasskey)
      .add(
        "POST",
        "/v1/me/passkeys/:passkey_id/attempt_verification",
        [rateLimitIp, loadCurrentSession],
        verifyMyPasskey,
      )
      .add("PATCH", "/v1/me/passkeys/:passkey_id", [loadCurrentSession], updateMyPasskey)
      .add("DELETE", "/v1/me/passkeys/:passkey_id", [loadCurrentSession], deleteMyPasskey)
      .add("POST", "/v1/me/phone_numbers", [loadCurrentSession], createMyPhone)
      .add(
        "POST",
        "/v1/me/phone_numbers/:phone_id/prepare_verification",
        [rateLimitIp, loadCurrentSession],
        prepareMyPhone,
      )
      .add(
        "POST",
        "/v1/me/phone_numbers/:phone_id/attempt_verification",
        [rateLimitIp, loadCurrentSession],
        attemptMyPhone,
      )
      .add("PATCH", "/v1/me/phone_numbers/:phone_id", [loadCurrentSession], updateMyPhone)
      .add("DELETE", "/v1/me/phone_numbers/:phone_id", [loadCurrentSession], deleteMyPhone)
      .add("POST", "/v1/me/external_accounts", [rateLimitIp, loadCurrentSession], createMyExternalAccount)
      .add("DELETE", "/v1/me/external_accounts/:external_account_id", [loadCurrentSession], deleteMyExternalAccount)
      .add(
        "POST",
        "/v1/client/sign_ins/:id/reset_password",
        [rateLimitIp, loadSignIn, requireStatus("needs_new_password")],
        resetPassword,
      )
      .add("POST", "/v1/client/sign_ups", [rateLimitIp], createSignUp)
      .add("GET", "/v1/client/sign_ups/:id", [loadSignUp], getSignUp)
      .add(
        "PATCH",
        "/v1/client/sign_ups/:id",
        [rateLimitIp, loadSignUp, requireStatus("missing_requirements")],
        updateSignUp,
      )
      .add(
        "POST",
        "/v1/client/sign_ups/:id/prepare_verification",
        [rateLimitIp, loadSignUp, requireStatus("missing_requirements"), rateLimitSignUpEmail],
        prepareVerification,
      )
      .add(
        "POST",
        "/v1/client/sign_ups/:id/attempt_verification",
        [rateLimitIp, loadSignUp, requireStatus("missing_requirements"), rateLimitSignUpEmail],
        attemptVerification,
      )
      .add("DELETE", "/v1/client/sessions", [], signOutAll)
      .add("GET", "/v1/client/sessions/:id", [loadSession], getSession)
      .add("POST", "/v1/client/sessions/:id/touch", [loadActiveSession], touchSession)
      .add("POST", "/v1/client/sessions/:id/end", [loadSession], endSession)
      .add("POST", "/v1/client/sessions/:id/remove", [loadSession], removeSession)
      .add("POST", "/v1/client/sessions/:id/tokens", [loadActiveSession], mintSessionToken)
      .add("POST", "/v1/client/sessions/:id/tokens/:template", [loadActiveSession], mintTemplateToken)
      .add("GET", "/v1/me", [loadCurrentSession], getMe)
      .add("PATCH", "/v1/me", [loadCurrentSession], updateMe)
      .add("DELETE", "/v1/me", [loadCurrentSession], deleteMe)
      .add("POST", "/v1/me/change_password", [loadCurrentSession], changeMyPassword)
      .add("GET", "/v1/me/organization_memberships", [loadCurrentSession], getMyMemberships)
      .add("GET", "/v1/me/organization_invitations", [loadCurrentSession], getMyInvitations)
      .add("POST", "/v1/me/organization_invitations/:id/accept", [loadCurrentSession], acceptMyInvitation)
      .add("POST", "/v1/organizations", [loadCurrentSession], createMyOrganization)
      .add("GET", "/v1/organizations/:id/memberships", [loadCurrentSession], listOrgMembers)
      .add("POST", "/v1/organizations/:id/memberships", [loadCurrentSession], addOrgMember)
      .add("PATCH", "/v1/organizations/:id/memberships/:user_id", [loadCurrentSession], updateOrgMember)
      .add("DELETE", "/v1/organizations/:id/memberships/:user_id", [loadCurrentSession], removeOrgMember)
      .add("GET", "/v1/organizations/:id/invitations", [loadCurrentSession], listOrgInvitations)
      .add("POST", "/v1/organizations/:id/invitations", [loadCurrentSession], inviteOrgMember).router
  );
}
