/**
 * The dashboard's HTTP server (default `127.0.0.1:6790`): the page, its bundle, the login and the
 * same-origin API. Every `/_api/*` route but the login answers 401 without the admin key; the
 * sync WebSocket it forwards checks the key in the socket's `Authenticate` message instead.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "@tandem/shared";
import { FailureLimiter, LoginLinks, carriesAdminKey, sameSecret, type FailureLimit } from "./access.js";
import { bundleUi, type UiBundle } from "./bundle.js";
import { INDEX_HTML, securityHeaders } from "./page.js";
import { BodyTooLarge, forward, readBody } from "./proxy.js";
import { SyncProxy } from "./sync-proxy.js";

export interface DashboardOptions {
  readonly host?: string;
  /** 6790 by default; 0 picks a free port. */
  readonly port?: number;
  /** The backend's URL (API + sync) and its admin key. */
  readonly backendUrl: string;
  readonly adminKey: string;
  /** The identity service's URL (its issuer) and secret key, for the Backend API proxy. */
  readonly identityUrl?: string;
  readonly secretKey?: string;
  readonly publishableKey?: string;
  readonly logger: Logger;
  /** Wrong admin keys tolerated per remote address and window (default 30 a minute). */
  readonly failureLimit?: FailureLimit;
  readonly clock?: () => number;
}

export interface Dashboard {
  readonly url: string;
  /** A link that logs the browser in once, for the CLI to print (`tandem dev`). */
  loginLink(): string;
  close(): Promise<void>;
}

export const DEFAULT_DASHBOARD_PORT = 6790;

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

const refuse = (res: ServerResponse) =>
  json(res, 401, {
    code: "Unauthenticated",
    message: "Log in with the deployment's admin key: send `Authorization: Convex <admin key>`.",
  });

export async function startDashboard(o: DashboardOptions): Promise<Dashboard> {
  const ui: UiBundle = await bundleUi();
  const links = new LoginLinks(o.clock);
  const failures = new FailureLimiter(o.failureLimit, o.clock);
  const backend = o.backendUrl.replace(/\/+$/, "");
  const identity = o.identityUrl?.replace(/\/+$/, "");
  const log = o.logger;

  async function login(req: IncomingMessage, res: ServerResponse, from: string): Promise<void> {
    let body: { adminKey?: unknown; token?: unknown };
    try {
      body = JSON.parse((await readBody(req)).toString("utf8") || "{}") as typeof body;
    } catch {
      return json(res, 400, { code: "BadJson", message: "The login body must be JSON: {adminKey} or {token}." });
    }
    if (typeof body.token === "string") {
      if (!links.redeem(body.token)) {
        failures.fail(from);
        return json(res, 403, { code: "LinkUsed", message: "This login link was used already or has expired." });
      }
      return json(res, 200, { adminKey: o.adminKey });
    }
    if (typeof body.adminKey === "string" && sameSecret(body.adminKey, o.adminKey)) return json(res, 200, { ok: true });
    failures.fail(from);
    log.warn("dashboard login refused");
    return json(res, 403, { code: "BadAdminKey", message: "That is not this deployment's admin key." });
  }

  async function api(req: IncomingMessage, res: ServerResponse, path: string, search: string): Promise<void> {
    const from = req.socket.remoteAddress ?? "unknown";
    const wait = failures.retryAfter(from);
    if (wait > 0) {
      res.setHeader("Retry-After", String(wait));
      return json(res, 429, {
        code: "TooManyAttempts",
        message: `Too many wrong admin keys from this address; try again in ${wait} s.`,
      });
    }
    if (path === "/_api/login" && req.method === "POST") return login(req, res, from);
    if (!carriesAdminKey(req.headers.authorization, o.adminKey)) {
      // A request without any key is just logged out; a wrong one is a guess.
      if (req.headers.authorization) failures.fail(from);
      return refuse(res);
    }
    if (path === "/_api/info") {
      return json(res, 200, {
        backendUrl: backend,
        identityUrl: identity ?? null,
        publishableKey: o.publishableKey ?? null,
      });
    }
    if (path.startsWith("/_api/backend/api/")) {
      const rest = path.slice("/_api/backend".length);
      return forward(req, res, {
        target: backend + rest + search,
        headers: { authorization: req.headers.authorization! },
      });
    }
    if (path.startsWith("/_api/identity/v1/") || path === "/_api/inbox") {
      if (!identity || !o.secretKey)
        return json(res, 404, { code: "NoIdentity", message: "No identity service is attached to this dashboard." });
      const target =
        path === "/_api/inbox"
          ? `${identity}/dev/inbox`
          : `${identity}/backend${path.slice("/_api/identity".length)}${search}`;
      return forward(req, res, { target, headers: { authorization: `Bearer ${o.secretKey}` } });
    }
    return json(res, 404, { code: "NotFound", message: `No dashboard API at ${path}.` });
  }

  const server = createServer((req, res) => {
    securityHeaders(res);
    const url = new URL(req.url ?? "/", "http://dashboard");
    const path = url.pathname;
    const done = (e: unknown) => {
      if (res.headersSent) return void res.end();
      if (e instanceof BodyTooLarge)
        return json(res, 413, { code: "PayloadTooLarge", message: "The request body is too large." });
      log.error("dashboard request failed", { path, error: (e as Error).message });
      json(res, 500, { code: "InternalError", message: "The dashboard failed to answer." });
    };
    if (path.startsWith("/_api/")) return void api(req, res, path, url.search).catch(done);
    if (req.method !== "GET" && req.method !== "HEAD")
      return json(res, 405, { code: "MethodNotAllowed", message: "Only GET serves the page." });
    if (path === "/app.js") {
      res.writeHead(200, { "Content-Type": "text/javascript; charset=utf-8" });
      return void res.end(ui.js);
    }
    if (path === "/app.css") {
      res.writeHead(200, { "Content-Type": "text/css; charset=utf-8" });
      return void res.end(ui.css);
    }
    if (path === "/favicon.ico") return void res.writeHead(204).end();
    // Every other path is the single page (its routes live in the fragment).
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(INDEX_HTML);
  });
  const sync = new SyncProxy({ backendUrl: backend, adminKey: o.adminKey, failures, logger: log });
  server.on("upgrade", (req, socket, head) => {
    if (!sync.upgrade(req, socket, head)) socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
  });
  const host = o.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port ?? DEFAULT_DASHBOARD_PORT, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return {
    url,
    loginLink: () => `${url}/#login=${links.issue()}`,
    close: () =>
      new Promise<void>((resolve) => {
        sync.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
