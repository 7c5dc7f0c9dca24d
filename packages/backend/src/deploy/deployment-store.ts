/**
 * What survives a restart: the live deployment (modules, analysis) and the environment
 * variables, kept as JSON in storage meta so a restarted server serves the last push again.
 */
import { createHash } from "node:crypto";
import type { Storage } from "@tandem/storage";
import type { Deployment, ModuleSource } from "../engine/deployment.js";

const DEPLOYMENT_KEY = "tandem/deployment";
const ENV_KEY = "tandem/environment";
/** The stored deployment's version alone: what other nodes poll to notice a push (small to read). */
const DEPLOYMENT_VERSION_KEY = "tandem/deployment-version";

/** The live deployment and the push settings that came with it. */
export interface StoredDeployment {
  readonly deployment: Deployment;
  /** The project's functions directory as the CLI reported it (`convex/`). */
  readonly functions: string;
}

export async function loadDeployment(storage: Storage): Promise<StoredDeployment | null> {
  const text = await storage.getMeta(DEPLOYMENT_KEY);
  return text === null ? null : (JSON.parse(text) as StoredDeployment);
}

export async function saveDeployment(storage: Storage, stored: StoredDeployment): Promise<void> {
  await storage.setMeta(DEPLOYMENT_KEY, JSON.stringify(stored));
  // Written second: a node that sees the new version reads the new deployment.
  await storage.setMeta(DEPLOYMENT_VERSION_KEY, stored.deployment.version);
}

/** The stored deployment's version, or null (none, or saved before versions were kept apart). */
export function loadDeploymentVersion(storage: Storage): Promise<string | null> {
  return storage.getMeta(DEPLOYMENT_VERSION_KEY);
}

export async function loadEnvironment(storage: Storage): Promise<Record<string, string>> {
  const text = await storage.getMeta(ENV_KEY);
  return text === null ? {} : (JSON.parse(text) as Record<string, string>);
}

export async function saveEnvironment(storage: Storage, env: Readonly<Record<string, string>>): Promise<void> {
  await storage.setMeta(ENV_KEY, JSON.stringify(env));
}

/** The CLI's module hash: hex sha256 of source ‖ sourceMap (`npm:cli/lib/components.ts hash`). */
export function moduleHash(m: Pick<ModuleSource, "source" | "sourceMap">): string {
  return createHash("sha256")
    .update(m.source)
    .update(m.sourceMap ?? "")
    .digest("hex");
}

/** A version string for a module set: changes whenever any module's content changes. */
export function deploymentVersion(modules: readonly ModuleSource[]): string {
  const h = createHash("sha256");
  for (const m of [...modules].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    h.update(m.path).update("\0").update(m.environment).update("\0").update(moduleHash(m)).update("\0");
  }
  return h.digest("hex").slice(0, 16);
}
