/**
 * Writing answers. JSON goes out as exactly `application/json` (`@clerk/backend` compares the
 * header by string equality). Errors use Clerk's body; internals never reach the client.
 */
import type { ServerResponse } from "node:http";
import { isTandemError, type Logger } from "@tandem/shared";
import { writeReply } from "@tandem/shared/http";
import { ApiError } from "../errors.js";
import type { Reply } from "./context.js";

export function send(res: ServerResponse, reply: Reply, extra: Record<string, string | string[]> = {}): void {
  const status = reply.status ?? 200;
  const headers: Record<string, string | string[]> = { "cache-control": "no-store", ...extra, ...reply.headers };
  if (status === 204 || reply.body === undefined) return writeReply(res, status, headers, undefined);
  writeReply(res, status, { ...headers, "content-type": "application/json" }, JSON.stringify(reply.body));
}

export function errorReply(e: unknown, logger: Logger, where: string): Reply {
  let err: ApiError;
  if (e instanceof ApiError) err = e;
  else if (isTandemError(e))
    err = new ApiError(
      e.status === 404 ? "resource_not_found" : e.status < 500 ? "request_body_invalid" : "internal_error",
    );
  else {
    logger.error("unhandled error", { where, error: e instanceof Error ? e.message : String(e) });
    err = new ApiError("internal_error");
  }
  const headers: Record<string, string> = {};
  if (err.retryAfter !== undefined) headers["retry-after"] = String(err.retryAfter);
  return { status: err.status, body: { errors: [err.toJSON()], clerk_trace_id: null }, headers };
}
