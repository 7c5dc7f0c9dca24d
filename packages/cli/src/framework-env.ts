/**
 * The names under which a frontend reads the deployment URLs, chosen from the app's `package.json`
 * the way the official convex CLI chooses them (`suggestedEnvVarNames` in convex 1.48.0's
 * `cli/lib/envvars.ts`): a Next.js app reads `NEXT_PUBLIC_CONVEX_URL`, a Vite app
 * `VITE_CONVEX_SITE_URL`, and so on. `tandem dev` writes `CONVEX_URL` and `VITE_CONVEX_URL` too, and
 * the convex CLI stops updating `.env.local` once it sees two URL names, so the framework's own
 * names must come from us or the app's frontend finds nothing.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";

export interface UrlEnvNames {
  readonly url: string;
  readonly site: string;
}

/** In the CLI's order: the first package present decides. Remix reads the unprefixed names. */
const PREFIXES: ReadonlyArray<readonly [pkg: string, prefix: string]> = [
  ["react-scripts", "REACT_APP_"],
  ["next", "NEXT_PUBLIC_"],
  ["expo", "EXPO_PUBLIC_"],
  ["@sveltejs/kit", "PUBLIC_"],
  ["@tanstack/start", "VITE_"],
  ["@tanstack/react-start", "VITE_"],
  ["vite", "VITE_"],
];

export function urlEnvNamesFor(packages: ReadonlySet<string>): UrlEnvNames {
  const prefix = PREFIXES.find(([pkg]) => packages.has(pkg))?.[1] ?? "";
  return { url: `${prefix}CONVEX_URL`, site: `${prefix}CONVEX_SITE_URL` };
}

/** `dependencies` and `devDependencies` of `APP/package.json` (none when it is missing or unreadable). */
export async function appPackages(appDir: string): Promise<Set<string>> {
  try {
    const json = JSON.parse(await readFile(join(appDir, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    return new Set([...Object.keys(json.dependencies ?? {}), ...Object.keys(json.devDependencies ?? {})]);
  } catch {
    return new Set();
  }
}
