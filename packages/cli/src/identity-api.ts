/**
 * Which identity service `tandem webhooks` and `tandem keys` talk to: `--identity-url`/`--secret-key`, else
 * `TANDEM_IDENTITY_URL`/`TANDEM_SECRET_KEY`, else the app's `.env.local` (what `tandem dev` wrote;
 * the URL comes from the publishable key there). Calls go to its Backend API with the secret key.
 */
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { parsePublishableKey } from "@tandem/identity";
import { readEnvFile } from "./deployment.js";
import { CliError } from "./io.js";

export interface IdentityFlags {
  identityUrl?: string;
  secretKey?: string;
  dir?: string;
}

export interface IdentityApi {
  readonly url: string;
  readonly secretKey: string;
}

/** The flags every identity command takes. */
export const identityOptions = (cmd: Command) =>
  cmd
    .option("--identity-url <url>", "identity service URL (default: TANDEM_IDENTITY_URL, or from .env.local)")
    .option("--secret-key <key>", "identity secret key (default: TANDEM_SECRET_KEY, or .env.local)")
    .option("--dir <app>", "app folder whose .env.local names the identity service");

const LOCAL = /^(localhost|127(\.\d+){3}|\[::1\])(:\d+)?(\/|$)/;

export function resolveIdentity(flags: IdentityFlags): IdentityApi {
  const file = readEnvFile(join(resolve(flags.dir ?? process.cwd()), ".env.local"));
  const secretKey = flags.secretKey ?? process.env.TANDEM_SECRET_KEY ?? file.TANDEM_SECRET_KEY;
  let url = flags.identityUrl ?? process.env.TANDEM_IDENTITY_URL;
  if (!url) {
    const pk = parsePublishableKey(process.env.VITE_TANDEM_PUBLISHABLE_KEY ?? file.VITE_TANDEM_PUBLISHABLE_KEY ?? "");
    if (pk) url = `${LOCAL.test(pk.frontendApi) ? "http" : "https"}://${pk.frontendApi}`;
  }
  if (!url || !secretKey) {
    throw new CliError(
      "No identity service: pass --identity-url and --secret-key, or run in an app folder where `tandem dev` wrote .env.local.",
    );
  }
  return { url: url.replace(/\/+$/, ""), secretKey };
}

/** A Backend API call; Clerk-style `{errors}` answers become a CliError with the first message. */
export async function identityCall(api: IdentityApi, method: string, path: string, body?: unknown): Promise<any> {
  let res: Response;
  try {
    res = await fetch(`${api.url}/backend/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${api.secretKey}`, "content-type": "application/json" },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (e) {
    throw new CliError(`Could not reach ${api.url}: ${(e as Error).message}`);
  }
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const err = json?.errors?.[0];
    throw new CliError(`${res.status} ${err ? `${err.code}: ${err.long_message ?? err.message}` : text}`);
  }
  return json;
}
