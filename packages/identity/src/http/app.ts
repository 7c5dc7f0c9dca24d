/**
 * The request pipeline, one step per line:
 *   parse URL → CORS/preflight → route group (well-known | /v1 FAPI | /backend/v1 BAPI | /dev/inbox)
 *   → method override (`_method`) → origin check → body → handler → JSON answer.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "@tandem/shared";
import { ApiError } from "../errors.js";
import { safeEqual } from "../crypto/secrets.js";
import type { IdentityService } from "../domain/service.js";
import type { BapiHandler } from "../bapi/users.js";
import { bapiRouter } from "../bapi/routes.js";
import { fapiRouter } from "../fapi/routes.js";
import { ClientContext } from "../fapi/client-context.js";
import { renderOutcome } from "../fapi/render.js";
import type { FapiHandler } from "../fapi/outcome.js";
import { discoveryDocument } from "../oidc/discovery.js";
import { parseBody, readBody } from "./body.js";
import type { Reply, Req } from "./context.js";
import { OriginPolicy, PUBLIC_CORS } from "./cors.js";
import { Fields } from "./fields.js";
import { errorReply, send } from "./respond.js";
import type { Method, Router } from "./router.js";

const METHODS: readonly Method[] = ["GET", "POST", "PATCH", "PUT", "DELETE"];

export interface AppOptions {
  svc: IdentityService;
  issuer: string;
  allowedOrigins: readonly string[];
  secureCookies: boolean;
  logger: Logger;
}

export function createRequestHandler(opts: AppOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { svc, issuer, logger } = opts;
  const origins = new OriginPolicy(new URL(issuer).origin, opts.allowedOrigins);
  const fapi: Router<FapiHandler> = fapiRouter();
  const bapi: Router<BapiHandler> = bapiRouter();

  async function buildReq(req: IncomingMessage, url: URL, method: Method): Promise<Req> {
    const body = method === "GET" ? {} : parseBody(req.headers["content-type"], await readBody(req));
    return {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      ip: req.socket.remoteAddress ?? "unknown",
      origin: typeof req.headers.origin === "string" && req.headers.origin !== "null" ? req.headers.origin : undefined,
      fields: new Fields(body),
    };
  }

  function routeOrThrow<H>(router: Router<H>, method: string, path: string) {
    const m = router.match(method, path);
    if (m === null) throw new ApiError("resource_not_found");
    if (m === "method") throw new ApiError("resource_not_found", { detail: `${method} is not supported here.` });
    return m;
  }

  async function frontend(req: IncomingMessage, url: URL): Promise<Reply> {
    const override = url.searchParams.get("_method")?.toUpperCase();
    const method = (
      req.method === "POST" && override && METHODS.includes(override as Method) ? override : req.method
    ) as Method;
    const { handler, params } = routeOrThrow(fapi, method, url.pathname);
    const r = await buildReq(req, url, method);
    if (method !== "GET" && r.origin !== undefined && !origins.allows(r.origin)) throw new ApiError("origin_invalid");
    const ctx = await ClientContext.resolve(svc, r, opts.secureCookies);
    const env = { svc, ctx, req: r };
    const requestToken = r.headers.authorization?.replace(/^Bearer\s+/i, "");
    try {
      const out = await handler(env, params);
      if (out.kind === "redirect")
        return { status: 303, headers: { ...ctx.responseHeaders(requestToken), location: out.location } };
      const body = await renderOutcome(env, out);
      return { status: 200, body, headers: ctx.responseHeaders(requestToken) };
    } catch (e) {
      const reply = errorReply(e, logger, url.pathname);
      return { ...reply, headers: { ...reply.headers, ...ctx.responseHeaders(requestToken) } };
    }
  }

  async function backend(req: IncomingMessage, url: URL): Promise<Reply> {
    const auth = req.headers.authorization ?? "";
    const key = auth.startsWith("Bearer ") ? auth.slice(7) : "";
    if (!key || !safeEqual(key, svc.instance.secretKey)) throw new ApiError("authentication_invalid");
    const method = req.method as Method;
    const { handler, params } = routeOrThrow(bapi, method, url.pathname);
    return handler(svc, await buildReq(req, url, method), params);
  }

  async function route(req: IncomingMessage, url: URL): Promise<{ reply: Reply; cors: Record<string, string> }> {
    const path = url.pathname;
    const origin = typeof req.headers.origin === "string" ? req.headers.origin : undefined;
    if (path === "/.well-known/openid-configuration" || path === "/.well-known/jwks.json") {
      if (req.method !== "GET") throw new ApiError("resource_not_found");
      const body = path.endsWith("jwks.json") ? await svc.keys.jwks(svc.now()) : discoveryDocument(issuer);
      return { reply: { body, headers: { "cache-control": "public, max-age=300" } }, cors: PUBLIC_CORS };
    }
    if (path.startsWith("/v1/")) {
      const cors = origins.credentialed(origin);
      if (req.method === "OPTIONS")
        return {
          reply: { status: 204 },
          cors: origins.preflight(origin, req.headers["access-control-request-headers"]),
        };
      return { reply: await frontend(req, url), cors };
    }
    if (path.startsWith("/backend/")) return { reply: await backend(req, url), cors: {} };
    if (path === "/dev/inbox" && req.method === "GET" && svc.instance.kind === "development") {
      const list = await svc.store.listInbox(svc.instanceId, 100);
      return {
        reply: {
          body: list.map((m) => ({
            to: m.to,
            subject: m.subject,
            text: m.text,
            code: m.code,
            created_at: m.createdAt,
          })),
        },
        cors: {},
      };
    }
    if (path === "/" && req.method === "GET")
      return { reply: { body: { object: "identity", issuer, instance: svc.instance.kind } }, cors: {} };
    throw new ApiError("resource_not_found");
  }

  return (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://internal");
    } catch {
      send(res, { status: 400, body: { errors: [new ApiError("request_body_invalid").toJSON()] } });
      return;
    }
    const started = Date.now();
    route(req, url)
      .then(
        ({ reply, cors }) => send(res, reply, cors),
        (e) => {
          const origin = typeof req.headers.origin === "string" ? req.headers.origin : undefined;
          send(
            res,
            errorReply(e, logger, url.pathname),
            url.pathname.startsWith("/v1/") ? origins.credentialed(origin) : {},
          );
        },
      )
      .catch((e) => logger.error("response failed", { error: (e as Error).message }))
      .finally(() =>
        logger.debug("request", {
          method: req.method,
          path: url.pathname,
          status: res.statusCode,
          ms: Date.now() - started,
        }),
      );
  };
}
