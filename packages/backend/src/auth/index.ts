/** Auth: provider config, user-token verification, identities, admin keys. */
export {
  parseAuthConfig,
  parseProvider,
  normalizeIssuerUrl,
  serializeProvider,
  describeProvider,
  type AuthProvider,
  type CustomJwtAlgorithm,
  type SerializedAuthInfo,
} from "./config.js";
export { createAuthVerifier, type AuthVerifier, type AuthVerifierOptions, type VerifiedToken } from "./verifier.js";
export { oidcIdentity, customJwtIdentity } from "./identity.js";
export { checkAdminKey, parseImpersonation, parseAuthorizationHeader, type AuthorizationHeader } from "./admin.js";
export { OIDC_CLAIM_ERROR, type AuthConfigErrorCode } from "./errors.js";
export type { FetchLike } from "./fetch-json.js";
export {
  diagnoseRejection,
  type RejectionReason,
  type RejectionKind,
  type DiagnoseContext,
} from "./rejection-reason.js";
export { RejectionLog, recordRejections, type Rejection, type RecordRejectionsDeps } from "./rejection-log.js";
export { explainRejection, NO_REJECTIONS_HINT, type Explanation } from "./rejection-explain.js";
export {
  loadOrCreateDeploymentKey,
  deploymentJwks,
  signDeploymentJwt,
  type DeploymentSigningKey,
} from "./deployment-jwt.js";
