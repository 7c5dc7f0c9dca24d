/**
 * A small `node:http` router: exact and prefix routes, CORS on every answer (docs/http-api.md#common-rules),
 * `{code,message}` bodies for errors raised before a function runs, and an `AbortSignal` that
 * fires when the client goes away (long polls stop waiting).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { isTandemError, type Logger } from "@tandem/shared";
import { backendError, notFound } from "../errors.js";
import {
  corsHeaders,
  preflightHeaders,
  readBody,
  RouteTable,
  WRONG_METHOD,
  writeReply,
  type CorsPolicy,
  type Method,
} from "@tandem/shared/http";
import { FUNCTION_BODY_LIMIT } from "./body.js";
import { errorReply, jsonReply, type Reply } from "./reply.js";

export type { Method };

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

/** Convex answers every origin, with credentials. */
const CORS: CorsPolicy = { allows: () => true, methods: "GET,POST,OPTIONS,PATCH,DELETE,PUT", maxAgeSeconds: 86400 };

const originOf = (req: IncomingMessage) => req.headers.origin || undefined;

function preflight(req: IncomingMessage): Reply {
  return {
    status: 200,
    headers: preflightHeaders(CORS, originOf(req), req.headers["access-control-request-headers"]),
    body: "",
  };
}

/** The path of a request target that URL parsing would leave as it is (no dots, escapes, …). */
function plainPath(target: string): string | null {
  const q = target.indexOf("?");
  const path = q === -1 ? target : target.slice(0, q);
  return /^\/[A-Za-z0-9_\-/]*$/.test(path) && !path.includes("//") ? path : null;
}

export function createRouter(routes: readonly Route[], logger: Logger): RequestListener {
  const table = new RouteTable<Route["handler"]>();
  for (const r of routes) table.add(r.method, r.path, r.handler);

  const dispatch = async (req: IncomingMessage, res: ServerResponse): Promise<Reply> => {
    const raw = req.url ?? "/";
    let parsed: URL | null = null;
    const url = () => (parsed ??= new URL(raw, "http://localhost"));
    const method = (req.method ?? "GET").toUpperCase();
    if (method === "OPTIONS") return preflight(req);
    const pathname = plainPath(raw) ?? url().pathname;
    const found = table.match(method === "HEAD" ? "GET" : method, pathname);
    if (found === null) throw notFound("NotFound", `No route for ${method} ${pathname}`);
    if (found === WRONG_METHOD) {
      throw backendError("BadRequest", "MethodNotAllowed", `Method ${method} is not allowed on ${pathname}`);
    }
    let consumed = false;
    let abort: AbortController | null = null;
    return found.handler({
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
        return jsonReply(
          { code: "InternalServerError", message: "Your request couldn't be completed. Try again later." },
          500,
        );
      })
      .then((reply) => write(req, res, reply))
      .catch((e: unknown) => logger.warn("could not write response", { error: e as Error }));
  };
}

function write(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  // A string body goes out in one write together with the head.
  writeReply(
    res,
    reply.status,
    { ...corsHeaders(CORS, originOf(req)), ...reply.headers },
    reply.body,
    req.method === "HEAD",
  );
}
