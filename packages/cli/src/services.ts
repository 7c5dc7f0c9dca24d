/**
 * Starting the backend and the identity service together (what `dev` and `serve` share), and
 * wiring them: the backend learns the issuer through the `TANDEM_ISSUER_DOMAIN` deployment env
 * var (and `CLERK_JWT_ISSUER_DOMAIN` when the app has not set it), so `auth.config.ts` can read it.
 *
 * With `https` (`tandem dev --https`) the services listen on loopback ports of their own and TLS
 * fronts take the public ports; the issuer names the public host (what devices reach), and the
 * backend fetches that issuer's keys from the identity service over loopback.
 */
import { join } from "node:path";
import { startBackend, type Backend, type BackendOptions, type Clock } from "@tandem/backend";
import { startDashboard, type Dashboard } from "@tandem/dashboard";
import {
  startIdentityServer,
  type IdentityDatabase,
  type IdentityServer,
  type IdentityServerOptions,
} from "@tandem/identity";
import type { Logger } from "@tandem/shared";
import type { Storage, StorageDescriptor } from "@tandem/storage";
import { httpsOrigin, startHttpsFront, type HttpsFront, type HttpsOptions } from "./tls/https-front.js";

export interface ServiceOptions {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly sitePort: number;
  readonly identityPort: number;
  /** The web dashboard's port (0 picks a free one). */
  readonly dashboardPort: number;
  readonly adminKey?: string | undefined;
  /** Function threads of the backend (`--function-threads`); default: the machine's available parallelism. */
  readonly functionThreads?: number | undefined;
  /** Where file bytes live (`--files`): under the data folder (default) or an S3-compatible bucket. */
  readonly fileStorage?: BackendOptions["fileStorage"] | undefined;
  readonly instance: "development" | "production";
  readonly logger: Logger;
  readonly storage?: Storage;
  /** The store the backend opens instead of SQLite under `dataDir` (`--db`). */
  readonly database?: StorageDescriptor;
  /** The Postgres database the identity service keeps its data in instead of SQLite (`--db`). */
  readonly identityDatabase?: IdentityDatabase | undefined;
  readonly sessionTokenLifetimeSeconds?: number | undefined;
  /** Session tokens minted to native SDKs (default 3600 s; docs/android-guide.md#token-lifetime). */
  readonly nativeTokenLifetimeSeconds?: number | undefined;
  /** The identity service's public URL when TLS ends at a reverse proxy (`tandem serve --issuer`). */
  readonly identityPublicUrl?: string | undefined;
  /** Serve every port over TLS from a local CA, naming `publicHost` (`tandem dev --https`). */
  readonly https?: HttpsOptions | undefined;
  /** Social providers, the SMS relay and the passkey relying party (`identity-factors.ts`). */
  readonly identityFactors?: Pick<IdentityServerOptions, "oauthProviders" | "sms" | "passkeys"> | undefined;
  /** Both services' clock (tests compress time with a `ManualClock`). */
  readonly clock?: Clock | undefined;
  /** The app folder: `"use node"` packages the CLI leaves external load from its node_modules. */
  readonly nodePackagesDir?: string | undefined;
}

export interface Services {
  readonly backend: Backend;
  readonly identity: IdentityServer;
  /** The URLs clients use: the services' own, or the TLS fronts' with `https`. */
  readonly publicUrls: { readonly backend: string; readonly site: string };
  /** With `https`: the CA certificate devices must trust. */
  readonly caCertPath: string | null;
  readonly dashboard: Dashboard;
  close(): Promise<void>;
}

export async function startServices(o: ServiceOptions): Promise<Services> {
  const inner: { identity?: IdentityServer; backend?: Backend } = {};
  const portOf = (url: string | undefined) => (url ? Number(new URL(url).port) : null);
  let front: HttpsFront | null = null;
  if (o.https) {
    front = await startHttpsFront({
      ...o.https,
      listenHost: o.host,
      routes: [
        { port: o.identityPort, targetPort: () => portOf(inner.identity?.url) },
        { port: o.port, targetPort: () => portOf(inner.backend?.url) },
        { port: o.sitePort, targetPort: () => portOf(inner.backend?.siteUrl) },
      ],
    });
  }
  const [identityFront, backendFront, siteFront] = front?.fronts ?? [];
  const https = o.https;
  const clock = o.clock;
  let identity: IdentityServer;
  try {
    identity = inner.identity = await startIdentityServer({
      dataDir: join(o.dataDir, "identity"),
      host: https ? "127.0.0.1" : o.host,
      port: https ? 0 : o.identityPort,
      ...(https && identityFront
        ? { publicUrl: httpsOrigin(https.publicHost, identityFront.port) }
        : o.identityPublicUrl
          ? { publicUrl: o.identityPublicUrl }
          : {}),
      instance: o.instance,
      logger: o.logger,
      ...(o.identityDatabase ? { database: o.identityDatabase } : {}),
      ...o.identityFactors,
      ...(o.sessionTokenLifetimeSeconds ? { sessionTokenLifetimeSeconds: o.sessionTokenLifetimeSeconds } : {}),
      ...(o.nativeTokenLifetimeSeconds ? { nativeSessionTokenLifetimeSeconds: o.nativeTokenLifetimeSeconds } : {}),
      ...(clock ? { clock: () => clock.now() } : {}),
    });
  } catch (e) {
    await front?.close();
    throw e;
  }
  // The issuer may name a host only devices reach (10.0.2.2 is the emulator's name for this
  // machine's loopback) or a reverse proxy: the backend reads its keys over loopback instead.
  const issuerOrigin = new URL(identity.issuer).origin;
  const viaLoopback = issuerOrigin !== new URL(identity.url).origin;
  const issuerFetch = (url: string, init?: RequestInit) =>
    fetch(url.startsWith(issuerOrigin) ? identity.url + url.slice(issuerOrigin.length) : url, init);
  let backend: Backend;
  try {
    backend = inner.backend = await startBackend({
      dataDir: join(o.dataDir, "backend"),
      host: https ? "127.0.0.1" : o.host,
      port: https ? 0 : o.port,
      sitePort: https ? 0 : o.sitePort,
      logger: o.logger.child("backend"),
      ...(o.adminKey ? { adminKey: o.adminKey } : {}),
      ...(o.functionThreads !== undefined ? { workers: o.functionThreads } : {}),
      ...(o.fileStorage ? { fileStorage: o.fileStorage } : {}),
      ...(o.storage ? { storage: o.storage } : {}),
      ...(o.database ? { database: o.database } : {}),
      ...(o.nodePackagesDir ? { nodePackagesDir: o.nodePackagesDir } : {}),
      ...(viaLoopback ? { issuerFetch } : {}),
      ...(clock ? { clock } : {}),
    });
  } catch (e) {
    await identity.close();
    await front?.close();
    throw e;
  }
  const vars: Record<string, string> = { TANDEM_ISSUER_DOMAIN: identity.issuer };
  const existing = backend.environmentVariables();
  // Ours to keep in step only while unset or still pointing at the issuer we set before.
  const clerk = existing.CLERK_JWT_ISSUER_DOMAIN;
  if (clerk === undefined || clerk === existing.TANDEM_ISSUER_DOMAIN) vars.CLERK_JWT_ISSUER_DOMAIN = identity.issuer;
  if (Object.entries(vars).some(([k, v]) => existing[k] !== v)) await backend.setEnvironmentVariables(vars);
  let dashboard: Dashboard;
  try {
    dashboard = await startDashboard({
      host: o.host,
      port: o.dashboardPort,
      backendUrl: backend.url,
      adminKey: backend.adminKey,
      identityUrl: identity.url,
      secretKey: identity.secretKey,
      publishableKey: identity.publishableKey,
      logger: o.logger.child("dashboard"),
    });
  } catch (e) {
    await front?.close();
    await backend.close();
    await identity.close();
    throw e;
  }
  return {
    backend,
    identity,
    publicUrls:
      https && backendFront && siteFront
        ? {
            backend: httpsOrigin(https.publicHost, backendFront.port),
            site: httpsOrigin(https.publicHost, siteFront.port),
          }
        : { backend: backend.url, site: backend.siteUrl },
    caCertPath: front?.ca.certPath ?? null,
    dashboard,
    close: async () => {
      await dashboard.close();
      await front?.close();
      await backend.close();
      await identity.close();
    },
  };
}
