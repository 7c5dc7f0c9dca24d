/**
 * Reading request bodies with a size limit, `Content-Encoding: br|gzip|deflate` decoding (the
 * CLI brotli-compresses push bodies) and JSON parsing with Convex's error codes.
 */
import type { IncomingMessage } from "node:http";
import zlib from "node:zlib";
import { TandemError } from "@tandem/shared";
import { backendError, badRequest } from "../errors.js";

/** Convex's HTTP limit for function arguments: 16 MiB plus some room for the envelope. */
export const FUNCTION_BODY_LIMIT = 16 * 1024 * 1024 + 2000;
/** Push bodies carry every bundle with its source map (Rust `MAX_PUSH_BYTES`). */
export const PUSH_BODY_LIMIT = 200 * 1024 * 1024;

function tooLarge(limit: number): TandemError {
  return backendError(
    "PayloadTooLarge",
    "PayloadTooLarge",
    `Request body is too large: the limit is ${limit} bytes.`,
  );
}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    // Drain rather than read: the client still gets its 413 on a kept-alive connection.
    req.resume();
    throw tooLarge(limit);
  }
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    // Events rather than an async iterator: this runs for every function call.
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      if (!over) chunks.push(chunk);
    });
    req.once("end", () => (over ? reject(tooLarge(limit)) : resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))));
    req.once("error", reject);
    req.once("aborted", () => reject(backendError("BadRequest", "RequestAborted", "The client closed the request before sending its body.")));
  });
  return decode(raw, req.headers["content-encoding"], limit);
}

function decode(raw: Buffer, encoding: string | undefined, limit: number): Buffer {
  const enc = (encoding ?? "identity").trim().toLowerCase();
  const opts = { maxOutputLength: limit };
  try {
    switch (enc) {
      case "":
      case "identity":
        return raw;
      case "br":
        return zlib.brotliDecompressSync(raw, opts);
      case "gzip":
        return zlib.gunzipSync(raw, opts);
      case "deflate":
        return zlib.inflateSync(raw, opts);
      default:
        throw badRequest("BadContentEncoding", `Unsupported Content-Encoding: ${enc}`);
    }
  } catch (e) {
    if (e instanceof TandemError) throw e;
    if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge(limit);
    throw badRequest("BadContentEncoding", `Could not decode the ${enc} request body.`);
  }
}

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
