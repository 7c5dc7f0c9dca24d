/**
 * Writing an answer: the head and a string body leave in one `end` call (one write on the
 * socket), with `Content-Length` always set so kept-alive connections need no chunking.
 */
import type { ServerResponse } from "node:http";

export function writeReply(
  res: ServerResponse,
  status: number,
  /** Taken over: `content-length` is added to it (callers pass a fresh object; no copy per reply). */
  headers: Record<string, string | string[]>,
  body: string | Buffer | undefined,
  /** HEAD: the length of the body, without the body. */
  headOnly = false,
): void {
  if (res.destroyed || res.headersSent) return;
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  const length = typeof body === "string" ? Buffer.byteLength(body) : body.length;
  headers["content-length"] = String(length);
  res.writeHead(status, headers);
  res.end(headOnly ? undefined : body);
}
