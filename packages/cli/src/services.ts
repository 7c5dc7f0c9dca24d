/**
 * Starting the backend and the identity service together (what `dev` and `serve` share), and
 * wiring them: the backend learns the issuer through the `TANDEM_ISSUER_DOMAIN` deployment env
 * var (and `CLERK_JWT_ISSUER_DOMAIN` when the app has not set it), so `auth.config.ts` can read it.
 */
import { join } from "node:path";
import { startBackend, type Backend } from "@tandem/backend";
import { startIdentityServer, type IdentityServer } from "@tandem/identity";
import type { Logger } from "@tandem/shared";
import type { Storage, StorageDescriptor } from "@tandem/storage";

export interface ServiceOptions {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly sitePort: number;
  readonly identityPort: number;
  readonly adminKey?: string | undefined;
  readonly instance: "development" | "production";
  readonly logger: Logger;
  readonly storage?: Storage;
  /** The store the backend opens instead of SQLite under `dataDir` (`--db`). */
  readonly database?: StorageDescriptor;
  readonly sessionTokenLifetimeSeconds?: number | undefined;
  /** The app folder: `"use node"` packages the CLI leaves external load from its node_modules. */
  readonly nodePackagesDir?: string | undefined;
}

export interface Services {
  readonly backend: Backend;
  readonly identity: IdentityServer;
  close(): Promise<void>;
}

export async function startServices(o: ServiceOptions): Promise<Services> {
  const identity = await startIdentityServer({
    dataDir: join(o.dataDir, "identity"),
    host: o.host,
    port: o.identityPort,
    instance: o.instance,
    logger: o.logger,
    ...(o.sessionTokenLifetimeSeconds ? { sessionTokenLifetimeSeconds: o.sessionTokenLifetimeSeconds } : {}),
  });
  let backend: Backend;
  try {
    backend = await startBackend({
      dataDir: join(o.dataDir, "backend"),
      host: o.host,
      port: o.port,
      sitePort: o.sitePort,
      logger: o.logger.child("backend"),
      ...(o.adminKey ? { adminKey: o.adminKey } : {}),
      ...(o.storage ? { storage: o.storage } : {}),
      ...(o.database ? { database: o.database } : {}),
      ...(o.nodePackagesDir ? { nodePackagesDir: o.nodePackagesDir } : {}),
    });
  } catch (e) {
    await identity.close();
    throw e;
  }
  const vars: Record<string, string> = { TANDEM_ISSUER_DOMAIN: identity.issuer };
  const existing = backend.environmentVariables();
  // Ours to keep in step only while unset or still pointing at the issuer we set before.
  const clerk = existing.CLERK_JWT_ISSUER_DOMAIN;
  if (clerk === undefined || clerk === existing.TANDEM_ISSUER_DOMAIN) vars.CLERK_JWT_ISSUER_DOMAIN = identity.issuer;
  if (Object.entries(vars).some(([k, v]) => existing[k] !== v)) await backend.setEnvironmentVariables(vars);
  return {
    backend,
    identity,
    close: async () => {
      await backend.close();
      await identity.close();
    },
  };
}
