/**
 * Request bodies as clerk-js and @clerk/backend send them: `application/x-www-form-urlencoded`
 * (repeated keys → arrays, nested objects as JSON strings) or `application/json` (an object).
 * Anything else, a body over the limit, or unparsable text is a clear 4xx.
 */
import type { IncomingMessage } from "node:http";
import { isTandemError } from "@tandem/shared";
import { readBody as readRequestBody } from "@tandem/shared/http";
import { ApiError } from "../errors.js";

export const MAX_BODY_BYTES = 64 * 1024;

/** The shared reader (limit, `Content-Encoding`), its errors in Clerk's catalogue. */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  try {
    return await readRequestBody(req, limit);
  } catch (e) {
    if (isTandemError(e) && e.kind === "PayloadTooLarge") throw new ApiError("request_body_too_large");
    throw new ApiError("request_body_invalid");
  }
}

export type BodyValue = string | string[] | number | boolean | null | Record<string, unknown> | unknown[];
export type Body = Record<string, BodyValue>;

export function parseBody(contentType: string | undefined, raw: Buffer): Body {
  if (raw.length === 0) return {};
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  const text = raw.toString("utf8");
  if (type === "application/json") {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw new ApiError("request_body_invalid", { detail: "Invalid JSON." });
    }
    if (!v || typeof v !== "object" || Array.isArray(v))
      throw new ApiError("request_body_invalid", { detail: "The JSON body must be an object." });
    return v as Body;
  }
  if (type === "application/x-www-form-urlencoded" || type === "") {
    if (type === "" && /^\s*[{[]/.test(text)) throw new ApiError("unsupported_content_type");
    const out: Body = {};
    for (const [k0, v] of new URLSearchParams(text)) {
      const k = k0.endsWith("[]") ? k0.slice(0, -2) : k0;
      const prev = out[k];
      if (prev === undefined) out[k] = k0.endsWith("[]") ? [v] : v;
      else out[k] = Array.isArray(prev) ? [...(prev as string[]), v] : [prev as string, v];
    }
    return out;
  }
  throw new ApiError("unsupported_content_type");
}
