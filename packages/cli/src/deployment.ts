/**
 * Which deployment `tandem env` / `tandem run` talk to: `--url`/`--admin-key`, else
 * `CONVEX_SELF_HOSTED_URL`/`CONVEX_SELF_HOSTED_ADMIN_KEY` from the environment, else from the
 * app's `.env.local` (what `tandem dev` wrote).
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CliError } from "./io.js";

export interface DeploymentFlags {
  url?: string;
  adminKey?: string;
  dir?: string;
}

export interface Deployment {
  readonly url: string;
  readonly adminKey: string;
}

export function readEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return {};
  }
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2]!.trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        value = value.slice(1, -1);
      }
    } else if (value.startsWith("'") && value.endsWith("'") && value.length >= 2) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, "");
    out[m[1]!] = value;
  }
  return out;
}

export function resolveDeployment(flags: DeploymentFlags): Deployment {
  const file = readEnvFile(join(resolve(flags.dir ?? process.cwd()), ".env.local"));
  const url = flags.url ?? process.env.CONVEX_SELF_HOSTED_URL ?? file.CONVEX_SELF_HOSTED_URL;
  const adminKey = flags.adminKey ?? process.env.CONVEX_SELF_HOSTED_ADMIN_KEY ?? file.CONVEX_SELF_HOSTED_ADMIN_KEY;
  if (!url || !adminKey) {
    throw new CliError(
      "No deployment: pass --url and --admin-key, or run in an app folder where `tandem dev` wrote .env.local.",
    );
  }
  return { url: url.replace(/\/+$/, ""), adminKey };
}

/** A POST to the deployment with the admin key; `{code,message}` errors become a CliError. */
export async function adminPost(d: Deployment, path: string, body: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${d.url}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Convex ${d.adminKey}` },
      body: JSON.stringify(body),
    });
  } catch (e) {
    throw new CliError(`Could not reach ${d.url}: ${(e as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      const j = JSON.parse(text) as { code?: string; message?: string };
      message = `${j.code}: ${j.message}`;
    } catch {
      // not JSON: show the text as it came
    }
    throw new CliError(`${res.status} ${message}`);
  }
  return JSON.parse(text) as unknown;
}

/** Runs a function as admin through `/api/function` and returns its value (Convex JSON). */
export async function runFunction(d: Deployment, path: string, args: unknown): Promise<unknown> {
  const r = (await adminPost(d, "/api/function", { path, args, format: "convex_encoded_json" })) as
    { status: "success"; value: unknown; logLines?: string[] } | { status: "error"; errorMessage: string };
  if (r.status === "error") throw new CliError(r.errorMessage);
  return r.value;
}
