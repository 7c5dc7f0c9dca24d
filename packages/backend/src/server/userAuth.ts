/**
 * User-token verification against the live deployment's `auth.config.ts`: one verifier per
 * deployment version (its caches of discovery documents and key sets live as long as it does).
 */
import type { Logger } from "@tandem/shared";
import { createAuthVerifier, type AuthVerifier } from "../auth/index.js";
import type { Deployment } from "../engine/deployment.js";
import type { VerifiedUser } from "../http/identity.js";
import { providersOf } from "../deploy/push-service.js";

export function liveDeploymentAuthenticator(live: () => Deployment | null, logger: Logger): (token: string) => Promise<VerifiedUser> {
  let cached: { version: string | null; verifier: AuthVerifier } | null = null;
  return async (token) => {
    const deployment = live();
    const version = deployment?.version ?? null;
    if (!cached || cached.version !== version) {
      cached = { version, verifier: createAuthVerifier({ providers: deployment ? providersOf(deployment.analysis) : [], logger }) };
    }
    return cached.verifier.verify(token);
  };
}
