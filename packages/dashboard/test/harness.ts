/**
 * The dashboard in front of a real backend (the backend tests' `dashboard` fixture app, pushed by
 * the official CLI) and a real identity service, all on free ports; plus Chromium.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { ConvexHttpClient } from "convex/browser";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "@tandem/backend";
import { startDashboard, type Dashboard, type DashboardOptions } from "@tandem/dashboard";
import { copyFixture, pushOnce, tempDir } from "../../backend/test/server/fixture.js";
import { startIdentity, type TestIdentity } from "../../../test/support/identity.js";

export const ADMIN_KEY = "dashboard-test:admin-key";

export interface Stack {
  backend: Backend;
  identity: TestIdentity;
  dashboard: Dashboard;
  client(): ConvexHttpClient;
  stop(): Promise<void>;
}

export async function startStack(extra: Partial<DashboardOptions> = {}): Promise<Stack> {
  const root = await tempDir("dashboard");
  const identity = await startIdentity();
  const backend = await startBackend({
    dataDir: join(root, "data"),
    port: 0,
    sitePort: 0,
    logger: silentLogger,
    adminKey: ADMIN_KEY,
  });
  await backend.setEnvironmentVariables({ TEST_ISSUER: identity.issuer });
  await pushOnce(await copyFixture("dashboard"), { url: backend.url, adminKey: backend.adminKey });
  const dashboard = await startDashboard({
    port: 0,
    backendUrl: backend.url,
    adminKey: backend.adminKey,
    identityUrl: identity.url,
    secretKey: identity.secretKey,
    publishableKey: identity.publishableKey,
    logger: silentLogger,
    ...extra,
  });
  return {
    backend,
    identity,
    dashboard,
    client: () => new ConvexHttpClient(backend.url, { skipConvexDeploymentUrlCheck: true, logger: false }),
    async stop() {
      await dashboard.close();
      await backend.close();
      await identity.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}
