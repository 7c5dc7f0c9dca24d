/** `npx convex env set|remove` (and `tandem env`): one admin-checked batch of changes. */
import type { Route } from "../http/router.js";
import type { RequestAuthenticator } from "../http/identity.js";
import { adminGuard, adminJsonPost } from "../http/admin-guard.js";
import { parseEnvChanges, type EnvironmentVariables } from "./environment.js";

export interface EnvRouteDeps {
  readonly env: EnvironmentVariables;
  readonly auth: RequestAuthenticator;
}

export function envRoutes(deps: EnvRouteDeps): Route[] {
  return [
    adminJsonPost(adminGuard(deps.auth), "/api/update_environment_variables", async (body) => {
      await deps.env.update(parseEnvChanges(body.changes));
      return {};
    }),
  ];
}
