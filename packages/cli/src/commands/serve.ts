/**
 * `tandem serve [--data DIR] [--db postgres://…]` (docs/architecture.md#composition): backend + identity without
 * watching, the production entry. Runs until SIGINT/SIGTERM.
 */
import { join, resolve } from "node:path";
import { createLogger, type LogLevel } from "@tandem/shared";
import { ADMIN_KEY_FILE } from "@tandem/backend";
import * as storageModule from "@tandem/storage";
import type { Storage } from "@tandem/storage";
import { adminKeyFrom, serviceOptionsFrom, type ServerFlags } from "../options.js";
import { startServices } from "../services.js";
import { CliError, type Io } from "../io.js";

export interface ServeFlags extends ServerFlags {
  data: string;
  db?: string;
  issuer?: string;
}

/** `--issuer`: the https origin (and optional path) a reverse proxy serves the identity service at. */
function issuerFrom(flags: ServeFlags): string | undefined {
  if (flags.issuer === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(flags.issuer);
  } catch {
    throw new CliError(`--issuer must be a URL such as https://auth.example.com, got ${JSON.stringify(flags.issuer)}`);
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new CliError("--issuer must be an https:// URL");
  if (u.search || u.hash || u.username) throw new CliError("--issuer takes no query, fragment or credentials");
  return u.href.replace(/\/+$/, "");
}

type OpenPostgres = (options: { url: string }) => Promise<Storage>;

async function openStorage(db: string | undefined): Promise<Storage | undefined> {
  if (db === undefined) return undefined;
  if (!/^postgres(ql)?:\/\//.test(db)) throw new CliError(`--db must be a postgres:// URL, got ${JSON.stringify(db.split("@").pop())}`);
  // TODO(postgres): the Postgres dialect of @tandem/storage comes with a later issue.
  const open = (storageModule as unknown as { openPostgresStorage?: OpenPostgres }).openPostgresStorage;
  if (!open) throw new CliError("Postgres storage is not available in this build yet; run without --db to use SQLite.");
  return open({ url: db });
}

export async function runServe(flags: ServeFlags, io: Io, until: Promise<unknown>): Promise<number> {
  const dataDir = resolve(flags.data);
  const level = (process.env.TANDEM_LOG_LEVEL as LogLevel | undefined) ?? "info";
  const storage = await openStorage(flags.db);
  const services = await startServices({
    dataDir,
    ...serviceOptionsFrom(flags),
    identityPublicUrl: issuerFrom(flags),
    instance: "production",
    logger: createLogger("tandem", { level }),
    ...(storage ? { storage } : {}),
  });
  const { backend, identity, dashboard } = services;
  io.out(
    [
      "Tandem serve",
      `  Backend API + sync   ${backend.url}`,
      `  HTTP actions         ${backend.siteUrl}`,
      `  Identity (issuer)    ${identity.issuer}`,
      `  Dashboard            ${dashboard.url}   (log in with the admin key)`,
      `  Data                 ${flags.db ? "Postgres" : dataDir}`,
      `  Admin key            ${adminKeyFrom(flags) ? "as given" : `in ${join(dataDir, "backend", ADMIN_KEY_FILE)}`}`,
      `  Publishable key      ${identity.publishableKey}`,
      "Push with: CONVEX_SELF_HOSTED_URL=<url> CONVEX_SELF_HOSTED_ADMIN_KEY=<key> npx convex deploy",
    ].join("\n"),
  );
  await until;
  await services.close();
  return 0;
}
