/** A real identity server on 127.0.0.1:0 with a fresh data folder, and dev-inbox helpers. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startIdentityServer, type IdentityServer, type IdentityServerOptions } from "@tandem/identity";

export interface TestIdentity extends IdentityServer {
  stop(): Promise<void>;
  /** The newest code sent to `to`, waiting briefly for the mail to land. */
  codeFor(to: string, after?: number): Promise<string>;
}

export async function startIdentity(opts: Partial<IdentityServerOptions> = {}): Promise<TestIdentity> {
  const dataDir = mkdtempSync(join(tmpdir(), "tandem-identity-"));
  const s = await startIdentityServer({ port: 0, host: "127.0.0.1", instance: "development", ...opts, dataDir });
  return Object.assign(s, {
    async stop() {
      await s.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
    async codeFor(to: string, after = 0) {
      for (let i = 0; i < 50; i++) {
        const m = (await s.inbox()).find((x) => x.to === to && x.createdAt >= after && x.code);
        if (m?.code) return m.code;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no code in the dev inbox for ${to}`);
    },
  });
}

export const PASSWORD = "correct horse battery staple";
