/**
 * The function endpoints of the HTTP API (docs/http-api.md#function-endpoints): `/api/query` (POST and GET),
 * `/api/mutation`, `/api/action`, `/api/function` (admin, any kind, internal included),
 * `/api/run/<mod>/<fn>`, `/api/query_ts`, `/api/query_at_ts`, `/api/query_batch`.
 */
import { backendError, badRequest } from "../errors.js";
import { componentCall } from "../components/admin-call.js";
import type { ConvexJSON, Timestamp } from "@tandem/storage";
import type { EngineAdmin, Engine, FunctionKind, Identity, Outcome } from "../engine/types.js";
import { parseJsonObject } from "./body.js";
import { DEFAULT_FORMAT, parseFormat, RawJson, stringifyWithRaw, type ValueFormat } from "./format.js";
import type { Deployment } from "../engine/deployment.js";
import { checkUdfPath, displayPath } from "../runtime/paths.js";
import { decodeTs, encodeTs } from "../sync/ts-codec.js";
import { identityFromRequest, type RequestAuthenticator } from "./identity.js";
import type { Reply } from "./reply.js";
import type { HttpRequest, Route } from "./router.js";
import { newRequestId, udfError, udfResponse, type UdfResponse } from "./udf-response.js";

export interface FunctionApiDeps {
  readonly engine: Engine & Pick<EngineAdmin, "current"> & { kindOf(path: string): FunctionKind | null };
  readonly auth: RequestAuthenticator;
}

interface Call {
  readonly path: string;
  readonly args: ConvexJSON;
  readonly format: ValueFormat;
}

function udfReply(body: UdfResponse | { results: UdfResponse[] }): Reply {
  // A success whose value is the function's own text: the reply is that text in its envelope.
  const text =
    "status" in body && body.status === "success" && body.value instanceof RawJson
      ? `{"status":"success","value":${body.value.json}${body.logLines ? `,"logLines":${JSON.stringify(body.logLines)}` : ""}}`
      : stringifyWithRaw(body);
  return { status: 200, headers: { "Content-Type": "application/json" }, body: text };
}

/** `args` is the argument object or the legacy `[obj]` array (docs/http-api.md#common-rules). */
export function unwrapArgs(raw: unknown): ConvexJSON {
  if (raw === undefined || raw === null) return {};
  let value = raw;
  if (Array.isArray(raw)) {
    if (raw.length === 0) return {};
    if (raw.length !== 1)
      throw badRequest("InvalidArgs", `Expected exactly one argument object, got ${raw.length} arguments.`);
    value = raw[0];
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw badRequest("InvalidArgs", `Function arguments must be an object, got ${JSON.stringify(value)}.`);
  }
  return value as ConvexJSON;
}

function requirePath(raw: unknown): string {
  if (typeof raw !== "string" || raw.length === 0)
    throw badRequest("BadJsonBody", "The request needs a string `path`.");
  return raw;
}

async function callFromBody(req: HttpRequest): Promise<Call & { body: Record<string, unknown> }> {
  const body = parseJsonObject(await req.body());
  return {
    path: requirePath(body.path),
    args: unwrapArgs(body.args),
    format: parseFormat(body.format, DEFAULT_FORMAT),
    body,
  };
}

function callFromQueryString(url: URL): Call {
  const argsText = url.searchParams.get("args");
  let args: unknown = {};
  if (argsText !== null) {
    try {
      args = JSON.parse(argsText);
    } catch (e) {
      throw badRequest("BadJsonBody", `Failed to parse \`args\` as JSON: ${(e as Error).message}`);
    }
  }
  return {
    path: requirePath(url.searchParams.get("path") ?? undefined),
    args: unwrapArgs(args),
    format: parseFormat(url.searchParams.get("format") ?? undefined, DEFAULT_FORMAT),
  };
}

const NO_IDENTITY: Identity = { kind: "none" };

const canRunInternal = (identity: Identity) => identity.kind === "admin" || identity.kind === "impersonated";

export function functionRoutes(deps: FunctionApiDeps): Route[] {
  const { engine, auth } = deps;
  const identityOf = (req: HttpRequest) => identityFromRequest(req.headers.authorization, req, auth);

  const run = async (kind: FunctionKind, call: Call, identity: Identity, ts?: Timestamp): Promise<UdfResponse> => {
    const common = { path: call.path, args: call.args, identity, allowInternal: canRunInternal(identity) };
    let outcome: Outcome<ConvexJSON>;
    switch (kind) {
      case "query":
        outcome = await engine.runQuery(ts === undefined ? { ...common, fresh: true } : { ...common, ts });
        break;
      case "mutation":
        outcome = await engine.runMutation(common);
        break;
      case "action":
        outcome = await engine.runAction(common);
        break;
      default:
        return kind satisfies never;
    }
    // The request id only appears in error messages: drawn when one is written.
    return udfResponse(outcome, call.format, newRequestId);
  };

  const endpoint = (kind: FunctionKind) => async (req: HttpRequest) => {
    // Without credentials (no Authorization header, no `?adminKey=`) there is nothing to await.
    const identity = req.headers.authorization || req.target.includes("?") ? await identityOf(req) : NO_IDENTITY;
    const call = await callFromBody(req);
    return udfReply(await run(kind, call, identity));
  };

  return [
    { method: "POST", path: "/api/query", handler: endpoint("query") },
    {
      method: "GET",
      path: "/api/query",
      handler: async (req) => {
        const identity = await identityOf(req);
        return udfReply(await run("query", callFromQueryString(req.url), identity));
      },
    },
    { method: "POST", path: "/api/mutation", handler: endpoint("mutation") },
    { method: "POST", path: "/api/action", handler: endpoint("action") },
    {
      method: "POST",
      path: "/api/function",
      handler: async (req) => {
        const identity = await identityOf(req);
        if (!canRunInternal(identity)) {
          throw backendError("Forbidden", "Unauthorized", "/api/function requires an admin key.");
        }
        const body = parseJsonObject(await req.body());
        if (typeof body.componentPath === "string" && body.componentPath !== "") {
          const { handle, kind } = componentCall(engine.current(), body.componentPath, requirePath(body.path));
          if (kind === null)
            return udfReply(
              udfError(
                `Could not find function for '${String(body.path)}' in component '${body.componentPath}'.`,
                newRequestId(),
              ),
            );
          return udfReply(
            await run(
              kind,
              { path: handle, args: unwrapArgs(body.args), format: parseFormat(body.format, DEFAULT_FORMAT) },
              identity,
            ),
          );
        }
        // Here `args` is the bare argument object (docs/http-api.md#function-endpoints).
        const call: Call = {
          path: requirePath(body.path),
          args: unwrapArgs(body.args),
          format: parseFormat(body.format, DEFAULT_FORMAT),
        };
        // Server-implemented functions say their own kind (the dashboard runs system mutations here).
        if (call.path.startsWith("_system/"))
          return udfReply(await run(engine.kindOf(call.path) ?? "query", call, identity));
        const kind = lookupKind(engine.current(), call.path);
        if (kind === null) {
          // `npx convex run` lists the deployed functions when it sees "Could not find function".
          const parsed = checkUdfPath(call.path);
          const shown = parsed ? displayPath(parsed) : call.path;
          return udfReply(
            udfError(
              `Could not find function for '${shown}'. Did you forget to run \`npx convex dev\` or \`npx convex deploy\`?`,
              newRequestId(),
            ),
          );
        }
        return udfReply(await run(kind, call, identity));
      },
    },
    { method: "POST", path: "/api/run/*", handler: async (req) => runByUrl(req, await req.body()) },
    { method: "GET", path: "/api/run/*", handler: async (req) => runByUrl(req, null) },
    {
      method: "POST",
      path: "/api/query_ts",
      handler: async () => udfTs(engine.latestTs()),
    },
    {
      method: "POST",
      path: "/api/query_at_ts",
      handler: async (req) => {
        const identity = await identityOf(req);
        const call = await callFromBody(req);
        const ts = typeof call.body.ts === "string" ? decodeTs(call.body.ts) : null;
        if (ts === null) throw badRequest("InvalidTimestamp", "`ts` must be a base64-encoded u64.");
        if (ts > engine.latestTs()) throw badRequest("InvalidTimestamp", "The requested timestamp is in the future.");
        return udfReply(await run("query", call, identity, ts));
      },
    },
    {
      method: "POST",
      path: "/api/query_batch",
      handler: async (req) => {
        const identity = await identityOf(req);
        const body = parseJsonObject(await req.body());
        if (!Array.isArray(body.queries)) throw badRequest("BadJsonBody", "The request needs a `queries` array.");
        const calls: Call[] = body.queries.map((q: unknown) => {
          if (q === null || typeof q !== "object") throw badRequest("BadJsonBody", "Each query must be an object.");
          const o = q as Record<string, unknown>;
          return { path: requirePath(o.path), args: unwrapArgs(o.args), format: parseFormat(o.format, DEFAULT_FORMAT) };
        });
        const ts = engine.latestTs();
        const results = await Promise.all(calls.map((c) => run("query", c, identity, ts)));
        return udfReply({ results });
      },
    },
  ];

  async function runByUrl(req: HttpRequest, rawBody: Buffer | null): Promise<Reply> {
    const identity = await identityOf(req);
    const segments = req.url.pathname
      .slice("/api/run/".length)
      .split("/")
      .filter((s) => s.length > 0)
      .map((s) => decodeURIComponent(s));
    if (segments.length < 2) {
      throw badRequest("InvalidPath", "The path must name a module and a function: /api/run/<module>/<function>.");
    }
    const path = `${segments.slice(0, -1).join("/")}:${segments[segments.length - 1]}`;
    let call: Call;
    if (rawBody === null || rawBody.length === 0) {
      const fromQuery = req.url.searchParams.get("args");
      call = {
        path,
        args: unwrapArgs(fromQuery === null ? {} : parseArgsText(fromQuery)),
        format: parseFormat(req.url.searchParams.get("format") ?? undefined, "json"),
      };
    } else {
      const body = parseJsonObject(rawBody);
      call = { path, args: unwrapArgs(body.args), format: parseFormat(body.format, "json") };
    }
    const kind = lookupKind(engine.current(), path) ?? "query";
    return udfReply(await run(kind, call, identity));
  }
}

function parseArgsText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest("BadJsonBody", `Failed to parse \`args\` as JSON: ${(e as Error).message}`);
  }
}

function udfTs(ts: Timestamp): Reply {
  return { status: 200, headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ts: encodeTs(ts) }) };
}

/** The kind of the deployed function at `path`; null when there is none (or the path is invalid). */
function lookupKind(deployment: Deployment | null, path: string): FunctionKind | null {
  const p = deployment ? checkUdfPath(path) : null;
  if (!deployment || !p) return null;
  const mod = deployment.analysis.modules.find((m) => m.path === p.module);
  return mod?.functions.find((f) => f.name === p.name)?.kind ?? null;
}
