/**
 * Reading a request body with a size limit and `Content-Encoding: br|gzip|deflate` decoding
 * (the Convex CLI brotli-compresses push bodies). Errors are `TandemError`s with closed codes;
 * each server maps them onto its own error bodies.
 */
import type { IncomingMessage } from "node:http";
import zlib from "node:zlib";
import { TandemError } from "../errors.js";

export const bodyErrorCodes = ["PayloadTooLarge", "RequestAborted", "BadContentEncoding"] as const;
export type BodyErrorCode = (typeof bodyErrorCodes)[number];

export const bodyTooLarge = (limit: number) =>
  new TandemError(
    "PayloadTooLarge",
    "PayloadTooLarge" satisfies BodyErrorCode,
    `Request body is too large: the limit is ${limit} bytes.`,
  );

const badEncoding = (message: string) =>
  new TandemError("BadRequest", "BadContentEncoding" satisfies BodyErrorCode, message);

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    // Drain rather than read: the client still gets its 413 on a kept-alive connection.
    req.resume();
    throw bodyTooLarge(limit);
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
    req.once("end", () =>
      over ? reject(bodyTooLarge(limit)) : resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)),
    );
    req.once("error", reject);
    req.once("aborted", () =>
      reject(
        new TandemError(
          "BadRequest",
          "RequestAborted" satisfies BodyErrorCode,
          "The client closed the request before sending its body.",
        ),
      ),
    );
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
        throw badEncoding(`Unsupported Content-Encoding: ${enc}`);
    }
  } catch (e) {
    if (e instanceof TandemError) throw e;
    if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw bodyTooLarge(limit);
    throw badEncoding(`Could not decode the ${enc} request body.`);
  }
}
