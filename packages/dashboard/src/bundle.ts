/**
 * The browser code, bundled once per server start with esbuild from `src/ui/` (shipped in the
 * package), so no separate build step can leave a stale bundle behind.
 */
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

export interface UiBundle {
  readonly js: string;
  readonly css: string;
}

const uiDir = fileURLToPath(new URL("../src/ui/", import.meta.url));

export async function bundleUi(): Promise<UiBundle> {
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
