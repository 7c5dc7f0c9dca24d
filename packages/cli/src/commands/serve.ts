/**
 * `tandem serve [--data DIR] [--db postgres://…]` (docs/architecture.md#composition): backend + identity without
 * watching, the production entry. Runs until SIGINT/SIGTERM.
 */
import { join, resolve } from "node:path";
import { createLogger, type LogLevel } from "@tandem/shared";
import { ADMIN_KEY_FILE } from "@tandem/backend";
import { redactUrl, type StorageDescriptor } from "@tandem/storage";
import { adminKeyFrom, serviceOptionsFrom, type ServerFlags } from "../options.js";
import { startServices } from "../services.js";
import type { IdentityDatabase } from "@tandem/identity";
import { CliError, type Io } from "../io.js";

export interface ServeFlags extends ServerFlags {
  data: string;
  db?: string;
  identitySchema?: string;
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

/**
 * `--db postgres://user:password@host:port/database[?schema=NAME][&fastCommitTries=N]`: the
 * Postgres database (and schema, default the connection's search_path) the backend keeps its data
 * in. `fastCommitTries` (default 2): how many times a node's commit group tries the one-statement
 * compare-and-set before it takes the head lock; 1 suits nodes that often commit at once.
 */
export function databaseOf(db: string | undefined): StorageDescriptor | undefined {
  if (db === undefined) return undefined;
  if (!/^postgres(ql)?:\/\//.test(db))
    throw new CliError(`--db must be a postgres:// URL, got ${JSON.stringify(db.split("@").pop())}`);
  let url: URL;
  try {
    url = new URL(db);
  } catch {
    throw new CliError("--db is not a valid URL");
  }
  const schema = url.searchParams.get("schema");
  url.searchParams.delete("schema");
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new CliError(`--db schema ${JSON.stringify(schema)} must be lower-case letters, digits and _`);
  const tries = url.searchParams.get("fastCommitTries");
  url.searchParams.delete("fastCommitTries");
  if (tries !== null && !/^([1-9]|[1-9][0-9])$/.test(tries))
    throw new CliError(`--db fastCommitTries ${JSON.stringify(tries)} must be a whole number from 1 to 99`);
  return {
    kind: "postgres",
    url: url.toString(),
    ...(schema !== null ? { schema } : {}),
    ...(tries !== null ? { fastCommitTries: Number(tries) } : {}),
  };
}

/**
 * With `--db`, the identity service keeps its data in the same Postgres database, in its own
 * schema: `--identity-schema`, else `TANDEM_IDENTITY_SCHEMA`, else `tandem_identity`.
 */
export function identityDatabaseOf(
  database: StorageDescriptor | undefined,
  flags: Pick<ServeFlags, "identitySchema">,
): IdentityDatabase | undefined {
  if (database?.kind !== "postgres") return undefined;
  const schema = flags.identitySchema ?? process.env.TANDEM_IDENTITY_SCHEMA ?? "tandem_identity";
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new CliError(`--identity-schema ${JSON.stringify(schema)} must be lower-case letters, digits and _`);
  if (schema === database.schema)
    throw new CliError(`--identity-schema must differ from the backend's schema (${schema})`);
  return { kind: "postgres", url: database.url, schema };
}

/** How long a drain waits for in-flight requests before closing anyway. */
export const DRAIN_TIMEOUT_MS = 10_000;

export async function runServe(flags: ServeFlags, io: Io, until: Promise<unknown>): Promise<number> {
  const dataDir = resolve(flags.data);
  const level = (process.env.TANDEM_LOG_LEVEL as LogLevel | undefined) ?? "info";
  const database = databaseOf(flags.db);
  const identityDatabase = identityDatabaseOf(database, flags);
  const services = await startServices({
    dataDir,
    ...serviceOptionsFrom(flags),
    identityPublicUrl: issuerFrom(flags),
    instance: "production",
    logger: createLogger("tandem", { level }),
    ...(database ? { database } : {}),
    ...(identityDatabase ? { identityDatabase } : {}),
  }).catch((e: unknown) => {
    // A database that can't be reached is the operator's to fix: say so without a stack, and
    // without the password.
    if (database?.kind === "postgres" && e instanceof Error && !(e instanceof CliError))
      throw new CliError(`Could not open Postgres at ${redactUrl(database.url)}: ${e.message}`);
    throw e;
  });
  const { backend, identity, dashboard } = services;
  io.out(
    [
      "Tandem serve",
      `  Backend API + sync   ${backend.url}`,
      `  HTTP actions         ${backend.siteUrl}`,
      `  Identity (issuer)    ${identity.issuer}`,
      `  Dashboard            ${dashboard.url}   (log in with the admin key)`,
      `  Data                 ${database?.kind === "postgres" ? `Postgres ${redactUrl(database.url)}${database.schema ? ` schema ${database.schema}` : ""}${identityDatabase ? `, identity schema ${identityDatabase.schema}` : ""}` : dataDir}`,
      `  Admin key            ${adminKeyFrom(flags) ? "as given" : `in ${join(dataDir, "backend", ADMIN_KEY_FILE)}`}`,
      `  Publishable key      ${identity.publishableKey}`,
      "Push with: CONVEX_SELF_HOSTED_URL=<url> CONVEX_SELF_HOSTED_ADMIN_KEY=<key> npx convex deploy",
    ].join("\n"),
  );
  await until;
  // SIGTERM: /ready turns 503, in-flight work finishes, sync clients reconnect elsewhere (docs/operations.md).
  await backend.drain(DRAIN_TIMEOUT_MS);
  await services.close();
  return 0;
}
