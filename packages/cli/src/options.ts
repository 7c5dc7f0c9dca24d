/** Options shared by `dev` and `serve` (docs/architecture.md#composition), parsed and checked once. */
import { InvalidArgumentError, type Command } from "commander";
import { CliError } from "./io.js";
import { addFactorOptions, factorOptionsFrom, type FactorFlags } from "./identity-factors.js";
import { fileStorageFrom } from "./file-storage-option.js";

export const DEFAULT_PORTS = { port: 3210, sitePort: 3211, identityPort: 3212, dashboardPort: 6790 } as const;

export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("must be a port number (0-65535).");
  return n;
}

export function addServerOptions(cmd: Command): Command {
  return addFactorOptions(cmd)
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--port <port>", "backend API + sync port", parsePort, DEFAULT_PORTS.port)
    .option("--site-port <port>", "HTTP actions port", parsePort, DEFAULT_PORTS.sitePort)
    .option("--identity-port <port>", "identity service port", parsePort, DEFAULT_PORTS.identityPort)
    .option("--dashboard-port <port>", "web dashboard port", parsePort, DEFAULT_PORTS.dashboardPort)
    .option("--admin-key <key>", "admin key (default: $TANDEM_ADMIN_KEY, else generated and kept in the data folder)")
    .option(
      "--function-threads <n>",
      "threads running queries and mutations (default: $TANDEM_FUNCTION_THREADS, else the machine's available parallelism)",
      parseThreadCount,
    )
    .option(
      "--files <where>",
      'where file bytes live: "disk" (under the data folder) or s3://<bucket>[/<prefix>]?endpoint=<url>&region=<region>, keys from $TANDEM_S3_ACCESS_KEY_ID/$TANDEM_S3_SECRET_ACCESS_KEY (default: $TANDEM_FILES, else disk)',
    )
    .option("--session-token-lifetime <seconds>", "lifetime of session tokens (default 60, as Clerk)", parseLifetime)
    .option(
      "--native-token-lifetime <seconds>",
      "lifetime of session tokens minted to native SDKs (default 3600: the Convex Android client never refreshes)",
      parseLifetime,
    );
}

export function parseThreadCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 256)
    throw new InvalidArgumentError("must be a whole number from 0 to 256 (0 runs functions on the main thread).");
  return n;
}

/** Session tokens shorter than 15 s would make clients refetch continuously (their leeway is 10 s). */
export function parseLifetime(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 15 || n > 86_400)
    throw new InvalidArgumentError("must be a whole number of seconds from 15 to 86400.");
  return n;
}

export interface ServerFlags extends FactorFlags {
  host: string;
  port: number;
  sitePort: number;
  identityPort: number;
  dashboardPort: number;
  adminKey?: string;
  functionThreads?: number;
  files?: string;
  sessionTokenLifetime?: number;
  nativeTokenLifetime?: number;
}

/** `--function-threads`, else `$TANDEM_FUNCTION_THREADS`; undefined leaves the backend's default. */
export function functionThreadsFrom(flags: ServerFlags): number | undefined {
  if (flags.functionThreads !== undefined) return flags.functionThreads;
  const fromEnv = process.env.TANDEM_FUNCTION_THREADS;
  if (!fromEnv) return undefined;
  try {
    return parseThreadCount(fromEnv);
  } catch (e) {
    throw new CliError(`TANDEM_FUNCTION_THREADS ${(e as Error).message}`);
  }
}

export function adminKeyFrom(flags: ServerFlags): string | undefined {
  return flags.adminKey ?? (process.env.TANDEM_ADMIN_KEY || undefined);
}

/**
 * The services' options common to `dev` and `serve`, from their shared flags and the environment
 * (`env`: the process's, and for `dev` the app's `.env.local` under it).
 */
export function serviceOptionsFrom(flags: ServerFlags, env: Record<string, string | undefined> = process.env) {
  return {
    host: flags.host,
    port: flags.port,
    sitePort: flags.sitePort,
    identityPort: flags.identityPort,
    dashboardPort: flags.dashboardPort,
    adminKey: adminKeyFrom(flags),
    functionThreads: functionThreadsFrom(flags),
    fileStorage: fileStorageFrom(flags.files, env),
    sessionTokenLifetimeSeconds: flags.sessionTokenLifetime,
    nativeTokenLifetimeSeconds: flags.nativeTokenLifetime,
    identityFactors: factorOptionsFrom(flags, env),
  };
}
