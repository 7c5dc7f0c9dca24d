/**
 * A small `node:http` router: exact and prefix routes, CORS on every answer (research §3.1),
 * `{code,message}` bodies for errors raised before a function runs, and an `AbortSignal` that
 * fires when the client goes away (long polls stop waiting).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { isTandemError, type Logger } from "@tandem/shared";
import { backendError, notFound } from "../errors.js";
import { FUNCTION_BODY_LIMIT, readBody } from "./body.js";
import { errorReply, jsonReply, type Reply } from "./reply.js";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface HttpRequest {
  readonly method: string;
  /** The request target as sent (`/api/query?x=1`). */
  readonly target: string;
  /** `target` parsed (on first use). */
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  /** Aborted when the client disconnects before the answer is written. */
  readonly signal: AbortSignal;
  /** The decoded body; `limit` defaults to the function-argument limit. */
  body(limit?: number): Promise<Buffer>;
}

export interface Route {
  readonly method: Method;
  /** Exact path, or a prefix when it ends with `/*` (`/api/run/*`). */
  readonly path: string;
  readonly handler: (req: HttpRequest) => Promise<Reply>;
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

const CORS_METHODS = "GET,POST,OPTIONS,PATCH,DELETE,PUT";

function corsHeaders(req: IncomingMessage): Record<string, string> {
  const h: Record<string, string> = {};
  const origin = req.headers.origin;
  if (origin) {
    h["Access-Control-Allow-Origin"] = origin;
    h["Access-Control-Allow-Credentials"] = "true";
    h["Vary"] = "Origin";
  }
  return h;
}

function preflight(req: IncomingMessage): Reply {
  const headers: Record<string, string> = {
    "Access-Control-Allow-Methods": CORS_METHODS,
    "Access-Control-Max-Age": "86400",
  };
  const requested = req.headers["access-control-request-headers"];
  if (requested) headers["Access-Control-Allow-Headers"] = requested;
  return { status: 200, headers, body: "" };
}

/** The path of a request target that URL parsing would leave as it is (no dots, escapes, …). */
function plainPath(target: string): string | null {
  const q = target.indexOf("?");
  const path = q === -1 ? target : target.slice(0, q);
  return /^\/[A-Za-z0-9_\-/]*$/.test(path) && !path.includes("//") ? path : null;
}

export function createRouter(routes: readonly Route[], logger: Logger): RequestListener {
  const exact = new Map<string, Route[]>();
  const prefixes: Array<{ prefix: string; route: Route }> = [];
  for (const r of routes) {
    if (r.path.endsWith("/*")) prefixes.push({ prefix: r.path.slice(0, -1), route: r });
    else exact.set(r.path, [...(exact.get(r.path) ?? []), r]);
  }
  prefixes.sort((a, b) => b.prefix.length - a.prefix.length);

  const match = (path: string): Route[] => {
    const found = exact.get(path);
    if (found) return found;
    const p = prefixes.find((x) => path.startsWith(x.prefix));
    return p ? prefixes.filter((x) => x.prefix === p.prefix).map((x) => x.route) : [];
  };

  const dispatch = async (req: IncomingMessage, res: ServerResponse): Promise<Reply> => {
    const raw = req.url ?? "/";
    let parsed: URL | null = null;
    const url = () => (parsed ??= new URL(raw, "http://localhost"));
    const method = (req.method ?? "GET").toUpperCase();
    if (method === "OPTIONS") return preflight(req);
    const pathname = plainPath(raw) ?? url().pathname;
    const candidates = match(pathname);
    if (candidates.length === 0) throw notFound("NotFound", `No route for ${method} ${pathname}`);
    const wanted = method === "HEAD" ? "GET" : method;
    const route = candidates.find((r) => r.method === wanted);
    if (!route) {
      throw backendError("BadRequest", "MethodNotAllowed", `Method ${method} is not allowed on ${pathname}`);
    }
    let consumed = false;
    let abort: AbortController | null = null;
    return route.handler({
      method,
      target: raw,
      // Parsed on first use: most calls need only the path.
      get url() {
        return url();
      },
      headers: req.headers,
      // Made on first use: only long polls watch for the client going away.
      get signal() {
        if (!abort) {
          const controller = (abort = new AbortController());
          if (res.destroyed && !res.writableFinished) controller.abort();
          else
            res.on("close", () => {
              if (!res.writableFinished) controller.abort();
            });
        }
        return abort.signal;
      },
      body: (limit = FUNCTION_BODY_LIMIT) => {
        if (consumed) throw new TypeError("request body read twice");
        consumed = true;
        return readBody(req, limit);
      },
    });
  };

  return (req, res) => {
    dispatch(req, res)
      .catch((e: unknown): Reply => {
        if (isTandemError(e)) return errorReply(e);
        logger.error("request failed", { path: req.url?.split("?")[0], error: e as Error });
        return jsonReply({ code: "InternalServerError", message: "Your request couldn't be completed. Try again later." }, 500);
      })
      .then((reply) => write(req, res, reply))
      .catch((e: unknown) => logger.warn("could not write response", { error: e as Error }));
  };
}

function write(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.headersSent) return;
  const body = reply.body;
  const length = typeof body === "string" ? Buffer.byteLength(body) : body.length;
  res.writeHead(reply.status, {
    ...corsHeaders(req),
    ...reply.headers,
    "Content-Length": String(length),
  });
  // A string body goes out in one write together with the head.
  res.end(req.method === "HEAD" ? undefined : body);
}
