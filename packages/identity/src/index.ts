/**
 * @tandem/identity — Tandem's identity service (the role Clerk plays). See docs/identity-api.md.
 *
 * @example
 * import { startIdentityServer } from "@tandem/identity";
 * const id = await startIdentityServer({ dataDir: ".tandem/identity", port: 3212 });
 * console.log(id.issuer, id.publishableKey);
 */
export { startIdentityServer, openIdentityService, type IdentityServer, type InboxMessage } from "./server.js";
export type { IdentityServerOptions, SmtpOptions, SecurityOptions, RateLimitRule, PasskeyOptions } from "./config.js";
export type { SmsOptions } from "./sms/sender.js";
export type { OAuthProviderOptions } from "./oauth/providers.js";
export { publishableKey, parsePublishableKey } from "./keys.js";
export type { IdentityStore } from "./store/types.js";
export type { IdentityDatabase } from "./store/open.js";
