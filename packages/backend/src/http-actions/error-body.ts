/**
 * The body Convex answers when an HTTP action throws (docs/http-api.md#http-actions): status 500, the first line
 * of the error after the request id as `code`, the full text with its stack frames as `trace`,
 * and a `ConvexError`'s data.
 */
import type { ConvexJSON } from "@tandem/storage";
import type { FunctionError } from "../engine/types.js";

export interface HttpActionErrorBody {
  readonly code: string;
  readonly trace: string;
  readonly data?: ConvexJSON;
}

export function httpActionErrorBody(requestId: string, error: FunctionError): HttpActionErrorBody {
  const firstLine = error.message.split("\n", 1)[0] ?? "";
  return {
    code: `[Request ID: ${requestId}] Server Error: ${firstLine}`,
    trace: error.message,
    ...(error.data !== undefined ? { data: error.data } : {}),
  };
}
