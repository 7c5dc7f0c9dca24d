/**
 * @tandem/js — the headless client of Tandem's identity service (browsers, Node 20+, React Native).
 *
 * @example
 * import { createTandem, connectConvex } from "@tandem/js";
 * import { ConvexClient } from "convex/browser";
 *
 * const tandem = createTandem({ publishableKey: process.env.TANDEM_PUBLISHABLE_KEY! });
 * await tandem.load();
 * const convex = new ConvexClient(process.env.CONVEX_URL!);
 * const { authState } = connectConvex(tandem, convex);
 * authState.subscribe((s) => console.log(s.status)); // loading → authenticated | unauthenticated
 * await tandem.signIn.create({ identifier: "ada@example.com", password: "…" });
 * await tandem.setActive({ session: tandem.signIn.createdSessionId });
 */
export {
  createTandem,
  Tandem,
  type AuthState,
  type TandemOptions,
  type Resources,
  type SignOutOptions,
  type SetActiveParams,
} from "./tandem.js";
export {
  connectConvex,
  type ConvexAuthTarget,
  type ConvexAuthState,
  type ConvexConnection,
  type ConnectConvexOptions,
  type AuthTokenFetcher,
} from "./convex.js";
export type { Observable } from "./observable.js";
export { memoryStorage, type AuthStorage } from "./storage.js";
export { decodePublishableKey, type DecodedKey } from "./keys.js";
export { decodeJwtClaims, type JwtClaims, type TokenResource } from "./jwt.js";
export type { GetTokenOptions } from "./tokens.js";
export type { TransportMode } from "./transport.js";
export {
  AuthApiError,
  AuthClientError,
  isAuthApiError,
  isClerkAPIResponseError,
  type AuthApiErrorItem,
  type AuthClientErrorCode,
} from "./errors.js";
export type { ClientResource } from "./resources/client.js";
export { SessionResource, type SessionStatus, type PublicUserData } from "./resources/session.js";
export { UserResource, type UpdateUserParams, type UpdatePasswordParams } from "./resources/user.js";
export { ExternalAccountResource, type ExternalAccountVerification } from "./resources/external-account.js";
export type { OrganizationResource, OrganizationMembershipResource } from "./resources/organization.js";
export type { EmailAddress, Verification, VerificationStatus } from "./resources/verification.js";
export {
  SignIn,
  type SignInState,
  type SignInStatus,
  type SignInFactor,
  type SecondFactor,
  type SecondFactorStrategy,
  type SignInStrategy,
  type CodeStrategy,
  type SignInCreateParams,
  type PrepareFirstFactorParams,
  type AttemptFirstFactorParams,
  type ResetPasswordParams,
  type SignInUserData,
} from "./resources/sign-in.js";
export {
  SignUp,
  type SignUpState,
  type SignUpStatus,
  type SignUpField,
  type SignUpCreateParams,
} from "./resources/sign-up.js";
export type { InstanceFactors } from "./environment.js";
export type { EmailLinkFlow } from "./resources/email-link.js";
export type { AuthenticateWithRedirectParams, OAuthStrategy } from "./resources/oauth.js";
