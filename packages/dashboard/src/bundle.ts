/**
 * The browser code, bundled in memory with esbuild from `src/ui/` (shipped in the package) when
 * the first dashboard of a process starts, so no separate build step can leave a stale bundle.
 */
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

export interface UiBundle {
  readonly js: string;
  readonly css: string;
}

const uiDir = fileURLToPath(new URL("../src/ui/", import.meta.url));

let cached: Promise<UiBundle> | null = null;

/** The bundle, built once per process (a process that starts several dashboards shares it). */
export function bundleUi(): Promise<UiBundle> {
  cached ??= buildUi();
  // A failed build is not kept: the next start tries again.
  cached.catch(() => (cached = null));
  return cached;
}

async function buildUi(): Promise<UiBundle> {
  const result = await build({
    entryPoints: [uiDir + "main.tsx"],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    jsx: "automatic",
    minify: true,
    legalComments: "none",
    outdir: "out",
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "silent",
  });
  let js = "";
  let css = "";
  for (const f of result.outputFiles) {
    if (f.path.endsWith(".js")) js = f.text;
    else if (f.path.endsWith(".css")) css = f.text;
  }
  return { js, css };
}
