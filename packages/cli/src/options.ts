/** Options shared by `dev` and `serve` (DESIGN §3 ports), parsed and checked once. */
import { InvalidArgumentError, type Command } from "commander";

export const DEFAULT_PORTS = { port: 3210, sitePort: 3211, identityPort: 3212 } as const;

export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("must be a port number (0-65535).");
  return n;
}

export function addServerOptions(cmd: Command): Command {
  return cmd
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--port <port>", "backend API + sync port", parsePort, DEFAULT_PORTS.port)
    .option("--site-port <port>", "HTTP actions port", parsePort, DEFAULT_PORTS.sitePort)
    .option("--identity-port <port>", "identity service port", parsePort, DEFAULT_PORTS.identityPort)
    .option("--admin-key <key>", "admin key (default: $TANDEM_ADMIN_KEY, else generated and kept in the data folder)");
}

export interface ServerFlags {
  host: string;
  port: number;
  sitePort: number;
  identityPort: number;
  adminKey?: string;
}

export function adminKeyFrom(flags: ServerFlags): string | undefined {
  return flags.adminKey ?? (process.env.TANDEM_ADMIN_KEY || undefined);
}
