/** Request bodies of the HTTP API: limits, and JSON parsing with Convex's error codes. */
import { badRequest } from "../errors.js";

/** Size limit, decoding and error codes are shared with the identity service. */
export { readBody } from "@tandem/shared/http";

/** Convex's HTTP limit for function arguments: 16 MiB plus some room for the envelope. */
export const FUNCTION_BODY_LIMIT = 16 * 1024 * 1024 + 2000;
/** Push bodies carry every bundle with its source map (Rust `MAX_PUSH_BYTES`). */
export const PUSH_BODY_LIMIT = 200 * 1024 * 1024;

export function parseJsonBody(body: Buffer): unknown {
  const text = body.toString("utf8");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest("BadJsonBody", `Failed to parse the request body as JSON: ${(e as Error).message}`);
  }
}

/** A JSON object body, or 400 `BadJsonBody`. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  const value = parseJsonBody(body);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw badRequest("BadJsonBody", "The request body must be a JSON object.");
  }
  return value as Record<string, unknown>;
}
