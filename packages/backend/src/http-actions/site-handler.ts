/**
 * The site origin (default :3211) and `/http/*` on the main origin (docs/http-api.md#http-actions): each request
 * becomes a web `Request` for `convex/http.ts`'s router, run where actions run; the action's
 * `Response` is written back as it is — status, headers, streamed body. No CORS is added: the
 * app writes its own. Unrouted paths get Convex's 404 text; an uncaught error a 500 JSON body.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { isTandemError, type Logger } from "@tandem/shared";
import { identityFromRequest, type RequestAuthenticator } from "../http/identity.js";
import { newRequestId } from "../engine/random-pool.js";
import type { Identity } from "../engine/types.js";
import { ROUTABLE_METHODS, type HttpActionOutcome, type HttpActionRequest } from "./types.js";
import { httpActionErrorBody } from "./error-body.js";

export interface HttpActionRunner {
  runHttpAction(req: HttpActionRequest): Promise<HttpActionOutcome>;
}

export interface SiteHandlerOptions {
  readonly engine: HttpActionRunner;
  readonly auth: RequestAuthenticator;
  /** `http://127.0.0.1:3211`: the origin `request.url` shows, whichever port the request came in on. */
  readonly siteOrigin: () => string;
  readonly logger: Logger;
}

/** `target` overrides `req.url` (the main origin strips its `/http` prefix). */
export type SiteHandler = (req: IncomingMessage, res: ServerResponse, target?: string) => void;

export const NO_ROUTE = "No matching routes found";

/** Convex limits an HTTP action's request body to 20 MiB. */
export const REQUEST_BODY_LIMIT = 20 * 1024 * 1024;

export function createSiteHandler(opts: SiteHandlerOptions): SiteHandler {
  return (req, res, target) => {
    handle(opts, req, res, target ?? req.url ?? "/").catch((e: unknown) => {
      opts.logger.error("HTTP action failed", { error: e });
      if (!res.headersSent) {
        res.writeHead(500, { "Content-Type": "application/json" });
        res.end(
          JSON.stringify(
            httpActionErrorBody(newRequestId(), {
              message: "An internal error occurred while running this HTTP action.",
            }),
          ),
        );
      } else res.destroy();
    });
  };
}

async function handle(
  opts: SiteHandlerOptions,
  req: IncomingMessage,
  res: ServerResponse,
  target: string,
): Promise<void> {
  const method = (req.method ?? "GET").toUpperCase();
  if (!ROUTABLE_METHODS.has(method) || !target.startsWith("/")) return notFound(req, res);
  const { identity, authError } = await identify(req, opts.auth);
  const hasBody = method !== "GET" && method !== "HEAD";
  const out = await opts.engine.runHttpAction({
    method,
    url: opts.siteOrigin() + target,
    headers: requestHeaders(req),
    body: hasBody ? (Readable.toWeb(limited(req, REQUEST_BODY_LIMIT)) as ReadableStream<Uint8Array>) : null,
    identity,
    authError,
  });
  switch (out.kind) {
    case "notFound":
      return notFound(req, res);
    case "error":
      req.resume();
      res.writeHead(500, { "Content-Type": "application/json" });
      res.end(JSON.stringify(httpActionErrorBody(newRequestId(), out.error)));
      return;
    case "response": {
      const grouped = new Map<string, string[]>();
      for (const [name, value] of out.headers) {
        // Framing is the server's business: Node sets it for the body it streams.
        if (name === "transfer-encoding" || name === "connection" || name === "keep-alive") continue;
        const list = grouped.get(name);
        if (list) list.push(value);
        else grouped.set(name, [value]);
      }
      for (const [name, values] of grouped) res.setHeader(name, values.length === 1 ? values[0]! : values);
      res.writeHead(out.status, out.statusText || undefined);
      if (!out.body) {
        res.end();
        return;
      }
      // The head goes out now, as Convex sends it once the action returns its Response: a client
      // waiting for it (`fetch` resolves on the head) must not wait for the body's first part,
      // which may come only after that client has acted (node would hold the head until then).
      res.flushHeaders();
      // Destroys both sides if the client goes away or the action's stream fails midway.
      await pipeline(Readable.fromWeb(out.body as import("node:stream/web").ReadableStream<Uint8Array>), res).catch(
        (e: unknown) => {
          if ((e as { code?: string }).code !== "ERR_STREAM_PREMATURE_CLOSE")
            opts.logger.warn("HTTP action response stream failed", { error: e });
        },
      );
      return;
    }
    default:
      return out satisfies never;
  }
}

/** The request body, failing (for the action reading it) once it passes `limit` bytes. */
function limited(req: IncomingMessage, limit: number): Readable {
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > limit) {
        req.unpipe(counter);
        req.resume();
        done(new Error(`The HTTP action's request body is too large (limit: ${limit / 1024 / 1024} MiB).`));
      } else done(null, chunk);
    },
  });
  req.on("error", (e) => counter.destroy(e));
  return req.pipe(counter);
}

function notFound(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(NO_ROUTE);
}

function requestHeaders(req: IncomingMessage): [string, string][] {
  const out: [string, string][] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    // HTTP/1 framing headers describe the connection, not the `Request` the action sees.
    if (name === "connection" || name === "keep-alive" || name === "transfer-encoding") continue;
    out.push([name, raw[i + 1]!]);
  }
  return out;
}

/**
 * Only the `Authorization` header counts (query parameters belong to the app). A token that fails
 * verification does not stop the action: `ctx.auth.getUserIdentity()` throws instead.
 */
const HEADER_ONLY = { target: "/", url: new URL("http://site/") } as const;

async function identify(
  req: IncomingMessage,
  auth: RequestAuthenticator,
): Promise<{ identity: Identity; authError: string | null }> {
  const header = req.headers.authorization;
  if (!header?.trim()) return { identity: { kind: "none" }, authError: null };
  try {
    // With a header present, identityFromRequest never looks at the request's `?adminKey=`.
    const identity = await identityFromRequest(header, HEADER_ONLY, auth);
    return { identity, authError: null };
  } catch (e) {
    if (!isTandemError(e)) throw e;
    return { identity: { kind: "none" }, authError: e.message };
  }
}
