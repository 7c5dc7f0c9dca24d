/**
 * User-token verification against the live deployment's `auth.config.ts`. The verifier is keyed
 * by the evaluated providers, not by the code version: a push whose only change is an
 * environment variable read by `auth.config.ts` changes the providers and takes effect at once.
 * A push that leaves them as they were keeps the verifier and its caches of discovery documents
 * and key sets.
 */
import type { Logger } from "@tandem/shared";
import {
  createAuthVerifier,
  serializeProvider,
  type AuthProvider,
  type AuthVerifier,
  type AuthVerifierOptions,
} from "../auth/index.js";
import type { Deployment } from "../engine/deployment.js";
import type { VerifiedUser } from "../http/identity.js";
import { providersOf } from "../deploy/push-service.js";

export class DeploymentAuth {
  #providersKey = "[]";
  #verifier: AuthVerifier;
  readonly #listeners = new Set<() => void>();

  /** `verifier`: the clock tokens are checked against and how issuers are fetched (embedders, tests). */
  constructor(
    private readonly logger: Logger,
    private readonly verifier: Pick<AuthVerifierOptions, "now" | "fetch"> = {},
  ) {
    this.#verifier = createAuthVerifier({ ...verifier, providers: [], logger });
  }

  /** Verifies a user JWT against the providers of the deployment made live last. */
  readonly authenticateUser = (token: string): Promise<VerifiedUser> => this.#verifier.verify(token);

  /** Called whenever a deployment goes live; swaps the verifier when the providers changed. */
  deployed(deployment: Deployment): void {
    let providers: AuthProvider[];
    try {
      providers = providersOf(deployment.analysis);
    } catch (e) {
      // Checked when pushed; a stored config that no longer parses verifies no one.
      this.logger.error("auth config of the live deployment is invalid", { error: e });
      providers = [];
    }
    const key = JSON.stringify(providers.map(serializeProvider));
    if (key === this.#providersKey) return;
    this.#providersKey = key;
    this.#verifier = createAuthVerifier({ ...this.verifier, providers, logger: this.logger });
    this.logger.info("auth providers changed", { providers: providers.length });
    for (const l of this.#listeners) l();
  }

  /** Runs after the providers changed (sync re-checks its authenticated sessions). */
  onProvidersChanged(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
