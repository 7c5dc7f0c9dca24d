/**
 * The file endpoints on the main origin (docs/http-api.md#file-storage): `POST /api/storage/upload?token=…` stores
 * the body and answers `{"storageId"}`; `GET|HEAD /api/storage/<storageId>` serves the bytes with
 * their content type, length, `ETag`, `Digest` and byte ranges. Bodies stream both ways (files
 * can be far larger than the function-argument limit), so this sits in front of the JSON router.
 */
import { backendError } from "../errors.js";
import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import { isTandemError, TandemError, type Logger } from "@tandem/shared";
import { parseRange } from "./byte-range.js";
import type { FileStorage } from "./file-storage.js";
import { metadataOf } from "./storage-doc.js";

const PREFIX = "/api/storage/";

function cors(req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  return origin
    ? { "Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true", Vary: "Origin" }
    : {};
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return void res.destroy();
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...cors(req),
    ...headers,
    "Content-Type": "application/json",
    "Content-Length": String(Buffer.byteLength(text)),
  });
  res.end(req.method === "HEAD" ? undefined : text);
}

function fail(req: IncomingMessage, res: ServerResponse, e: TandemError): void {
  // Whatever of the body is still coming is read and dropped, so a kept-alive connection stays usable.
  if (!req.readableEnded) req.resume();
  send(req, res, e.status, { code: e.code, message: e.message });
}

/** Returns a listener that answers `/api/storage/*` and passes everything else to `next`. */
export function storageHttp(
  files: FileStorage,
  logger: Logger,
  next: (req: IncomingMessage, res: ServerResponse) => void,
) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const target = req.url ?? "/";
    if (!target.startsWith(PREFIX)) return next(req, res);
    handle(files, req, res).catch((e: unknown) => {
      if (isTandemError(e)) return fail(req, res, e);
      logger.error("file request failed", { error: e as Error });
      fail(
        req,
        res,
        backendError("Internal", "InternalServerError", "Your request couldn't be completed. Try again later."),
      );
    });
  };
}

async function handle(files: FileStorage, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const target = req.url ?? "/";
  const url = new URL(target, "http://localhost");
  // The raw path, not the normalized one: `/api/storage/../x` must not become another path.
  const q = target.indexOf("?");
  const rest = (q === -1 ? target : target.slice(0, q)).slice(PREFIX.length);
  const method = (req.method ?? "GET").toUpperCase();
  if (method === "OPTIONS") {
    req.resume();
    const h: Record<string, string> = {
      ...cors(req),
      "Access-Control-Allow-Methods": "GET,HEAD,POST,OPTIONS",
      "Access-Control-Max-Age": "86400",
      "Content-Length": "0",
    };
    const asked = req.headers["access-control-request-headers"];
    if (asked) h["Access-Control-Allow-Headers"] = asked;
    res.writeHead(200, h);
    return void res.end();
  }
  if (rest === "upload") {
    if (method !== "POST")
      throw backendError("BadRequest", "MethodNotAllowed", `Method ${method} is not allowed on ${PREFIX}upload`);
    return upload(files, url, req, res);
  }
  if (method !== "GET" && method !== "HEAD")
    throw backendError("BadRequest", "MethodNotAllowed", `Method ${method} is not allowed on ${PREFIX}<storageId>`);
  return download(files, rest, req, res);
}

async function upload(files: FileStorage, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  files.access.tokens.verify(url.searchParams.get("token"));
  const limit = files.access.limitBytes;
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit)
    throw backendError("PayloadTooLarge", "UploadTooLarge", `File is too large: the upload limit is ${limit} bytes.`);
  const contentType = req.headers["content-type"] || null;
  const digest = /^\s*sha-256=([A-Za-z0-9+/=]+)\s*$/i.exec(String(req.headers["digest"] ?? ""))?.[1];
  // The store pipes the body without destroying it: when it stops early (too large) the rest is
  // drained and the 413 still arrives.
  const id = await files.store(req, contentType, digest);
  send(req, res, 200, { storageId: id });
}

async function download(files: FileStorage, rawId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  req.resume();
  let idText: string;
  try {
    idText = decodeURIComponent(rawId);
  } catch {
    idText = rawId;
  }
  const found = await files.find(idText, "GET /api/storage");
  if (!found)
    throw backendError(
      "NotFound",
      "FileNotFound",
      `File not found: no stored file has ID ${JSON.stringify(idText.slice(0, 64))}.`,
    );
  const meta = metadataOf(found.doc);
  const sha = String(found.doc.sha256);
  const etag = `"${sha}"`;
  const headers: Record<string, string> = {
    ...cors(req),
    "Content-Type": meta.contentType ?? "application/octet-stream",
    ETag: etag,
    Digest: `sha-256=${sha}`,
    "Accept-Ranges": "bytes",
    // Served as stored; never sniffed into something else (an uploaded file is untrusted).
    "X-Content-Type-Options": "nosniff",
    // Bytes under an id never change: clients may keep them.
    "Cache-Control": "private, max-age=2592000, immutable",
  };
  const inm = req.headers["if-none-match"];
  if (inm && inm.split(",").some((t) => t.trim() === etag || t.trim() === "*")) {
    res.writeHead(304, headers);
    return void res.end();
  }
  const ifRange = String(req.headers["if-range"] ?? "");
  const answer =
    ifRange && ifRange.trim() !== etag ? ({ kind: "whole" } as const) : parseRange(req.headers.range, meta.size);
  if (answer.kind === "unsatisfiable") {
    res.writeHead(416, { ...cors(req), "Content-Range": `bytes */${meta.size}`, "Content-Length": "0" });
    return void res.end();
  }
  const range = answer.kind === "partial" ? answer.range : undefined;
  const stream = req.method === "HEAD" ? null : await files.blobs.open(found.ref.key, range);
  if (req.method !== "HEAD" && !stream)
    throw backendError("NotFound", "FileNotFound", `File not found: the bytes of ${found.ref.id} are missing.`);
  const length = range ? range.end - range.start + 1 : meta.size;
  if (range) headers["Content-Range"] = `bytes ${range.start}-${range.end}/${meta.size}`;
  res.writeHead(range ? 206 : 200, { ...headers, "Content-Length": String(length) });
  if (!stream) return void res.end();
  await pipeline(stream, res).catch(() => res.destroy());
}
