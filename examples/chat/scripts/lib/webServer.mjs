// Bundles web/main.ts with esbuild and serves it with web/index.html over node:http.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";

/** One browser bundle of `web/main.ts`, with VITE_CONVEX_URL replaced as Vite would. */
export async function bundlePage(webDir, convexUrl) {
  const result = await build({
    entryPoints: [join(webDir, "main.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2020",
    write: false,
    logLevel: "silent",
    define: { "import.meta.env.VITE_CONVEX_URL": JSON.stringify(convexUrl) },
  });
  return result.outputFiles[0].text;
}

/** Serves `/` (index.html) and `/main.js` (the bundle); resolves with the page URL. */
export async function serveWeb({ webDir, script, host, port }) {
  const html = await readFile(join(webDir, "index.html"), "utf8");
  const routes = {
    "/": { type: "text/html; charset=utf-8", body: html },
    "/index.html": { type: "text/html; charset=utf-8", body: html },
    "/main.js": { type: "text/javascript; charset=utf-8", body: script },
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://local").pathname;
    const route = req.method === "GET" || req.method === "HEAD" ? routes[path] : undefined;
    if (route === undefined) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
      return;
    }
    res.writeHead(200, { "Content-Type": route.type, "Cache-Control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : route.body);
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const address = server.address();
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return { server, url: `http://${shownHost}:${address.port}` };
}
