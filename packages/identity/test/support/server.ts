/** Starts a real identity server on 127.0.0.1:0 with a fresh data folder. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startIdentityServer, type IdentityServer, type IdentityServerOptions } from "../../src/index.js";

export interface TestServer extends IdentityServer {
  dataDir: string;
  stop(): Promise<void>;
}

export async function startTestServer(opts: Partial<IdentityServerOptions> = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "tandem-identity-"));
  const s = await startIdentityServer({ port: 0, host: "127.0.0.1", ...opts, dataDir });
  return Object.assign(s, {
    dataDir,
    async stop() {
      await s.close();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  });
}
