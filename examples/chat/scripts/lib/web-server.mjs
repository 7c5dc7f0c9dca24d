// Bundles web/main.tsx with esbuild and serves it with web/index.html over node:http, with the
// identity service's Frontend API under /__identity (see identity-proxy.mjs).
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";
import { IDENTITY_PATH, pagePublishableKey, proxyIdentity } from "./identity-proxy.mjs";

/** Stands in for the publishable key in the bundle; each response gets the key for its Host. */
const KEY_PLACEHOLDER = "__TANDEM_PAGE_PUBLISHABLE_KEY__";
const HOST = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/;

/**
 * One browser bundle of `web/main.tsx` (`main.js`, and `main.css` from its CSS imports), with
 * `import.meta.env.VITE_*` replaced as Vite would: VITE_CONVEX_URL from .env.local, and
 * VITE_TANDEM_PUBLISHABLE_KEY naming the identity proxy on whatever host serves the page.
 */
export async function bundlePage(webDir, { convexUrl }) {
  const result = await build({
    entryPoints: { main: join(webDir, "main.tsx") },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2020",
    jsx: "automatic",
    outdir: "/out",
    write: false,
    logLevel: "silent",
    define: {
      "import.meta.env.VITE_CONVEX_URL": JSON.stringify(convexUrl),
      "import.meta.env.VITE_TANDEM_PUBLISHABLE_KEY": JSON.stringify(KEY_PLACEHOLDER),
      "process.env.NODE_ENV": JSON.stringify("development"),
    },
  });
  const file = (ext) => result.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? "";
  return { script: file(".js"), style: file(".css") };
}

/**
 * Serves `/` (index.html), `/main.js`, `/main.css`, an empty favicon and the identity proxy; resolves with the
 * page URL. `identityKey` is the publishable key from .env.local (it picks test or live).
 */
export async function serveWeb({ webDir, bundle, identityUrl, identityKey, host, port }) {
  const html = await readFile(join(webDir, "index.html"), "utf8");
  const routes = {
    "/": { type: "text/html; charset=utf-8", body: () => html },
    "/index.html": { type: "text/html; charset=utf-8", body: () => html },
    "/main.js": {
      type: "text/javascript; charset=utf-8",
      body: (h) => bundle.script.replaceAll(KEY_PLACEHOLDER, pagePublishableKey(identityKey, h)),
    },
    "/main.css": { type: "text/css; charset=utf-8", body: () => bundle.style },
  };
  const server = createServer((req, res) => {
    const requestHost = req.headers.host ?? "";
    if (!HOST.test(requestHost)) {
      res.writeHead(400, { "Content-Type": "text/plain" }).end("bad Host header\n");
      return;
    }
    const path = new URL(req.url ?? "/", "http://local").pathname;
    if (path.startsWith(`${IDENTITY_PATH}/`)) return proxyIdentity(req, res, identityUrl);
    if (path === "/favicon.ico") {
      res.writeHead(204).end();
      return;
    }
    const route = req.method === "GET" || req.method === "HEAD" ? routes[path] : undefined;
    if (route === undefined) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
      return;
    }
    res.writeHead(200, { "Content-Type": route.type, "Cache-Control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : route.body(requestHost));
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const address = server.address();
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return { server, url: `http://${shownHost}:${address.port}` };
}
