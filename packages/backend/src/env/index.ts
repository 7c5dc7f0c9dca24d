/** `npx convex env`: deployment environment variables, their limits and their endpoint. */
export { EnvironmentVariables, applyEnvChanges, checkEnvName, ENV_LIMITS, type EnvChange } from "./environment.js";
export { envRoutes, type EnvRouteDeps } from "./routes.js";
