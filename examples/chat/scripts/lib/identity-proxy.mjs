// The identity service behind the page's own origin. `tandem dev` starts the identity service
// without extra allowed origins, so a page on another port could not make the credentialed CORS
// calls its Frontend API needs; Clerk solves the same problem with a proxy URL. The page server
// forwards `/__identity/v1/…` to the identity service's `/v1/…`, and the page gets a publishable
// key that names `<page host>/__identity` (keys may carry a path), so every call is same-origin.
import { request } from "node:http";

export const IDENTITY_PATH = "/__identity";

/** Headers that describe one hop, not the message (RFC 9110 §7.6.1), and those we set ourselves. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "origin",
]);

/** A publishable key of the same instance as `identityKey`, naming the proxy on `host`. */
export function pagePublishableKey(identityKey, host) {
  const prefix = /^pk_(?:test|live)_/.exec(identityKey)?.[0];
  if (prefix === undefined) throw new Error("VITE_TANDEM_PUBLISHABLE_KEY in .env.local is not a pk_test_/pk_live_ key");
  return prefix + Buffer.from(`${host}${IDENTITY_PATH}$`).toString("base64");
}

/** The identity service URL a publishable key names (`pk_test_` + base64("host[/path]$")). */
export function identityUrlOf(publishableKey) {
  const encoded = /^pk_(?:test|live)_([A-Za-z0-9+/]+={0,2})$/.exec(publishableKey)?.[1];
  const hostPath = encoded === undefined ? "" : Buffer.from(encoded, "base64").toString("utf8");
  if (!hostPath.endsWith("$"))
    throw new Error("VITE_TANDEM_PUBLISHABLE_KEY in .env.local is not a pk_test_/pk_live_ key");
  return `http://${hostPath.slice(0, -1).replace(/\/+$/, "")}`;
}

function refuse(res, status, code, message) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify({ errors: [{ code, message, long_message: message }] }));
}

/**
 * Forwards one request under `/__identity/v1/` to the identity service. Only the Frontend API is
 * reachable this way (not the Backend API or the dev inbox). The identity service refuses
 * state-changing calls from origins it does not know (CSRF); the proxy makes the same check for
 * its own origin, then forwards the call without `Origin`, as a same-site call.
 */
export function proxyIdentity(req, res, identityUrl) {
  // Checked after URL normalisation, so `/__identity/v1/../backend/…` cannot reach the Backend API.
  const base = new URL(identityUrl);
  const target = new URL(`${base.origin}${req.url.slice(IDENTITY_PATH.length)}`);
  if (target.origin !== base.origin || !target.pathname.startsWith("/v1/"))
    return refuse(res, 404, "resource_not_found", "Only the Frontend API (/v1/…) is served here.");
  const origin = req.headers.origin;
  const safe = req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS";
  if (!safe && origin !== undefined && origin !== `http://${req.headers.host}`) {
    return refuse(res, 403, "origin_invalid", "This origin may not call the Frontend API through this page server.");
  }
  const headers = {};
  for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
  const upstream = request(target, { method: req.method, headers }, (answer) => {
    const out = {};
    for (const [name, value] of Object.entries(answer.headers))
      if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
    res.writeHead(answer.statusCode ?? 502, out);
    answer.pipe(res);
  });
  upstream.on("error", () => {
    if (res.headersSent) res.destroy();
    else refuse(res, 502, "identity_unreachable", "The identity service did not answer.");
  });
  req.pipe(upstream);
}
