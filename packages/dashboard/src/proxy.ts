/**
 * Same-origin forwarding, so the page talks only to the dashboard's origin: `/_api/backend/*` to
 * the backend (the admin key travels in the caller's own `Authorization`), `/_api/identity/*` to
 * the identity service's Backend API with the secret key added here, never sent to the browser.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** Function calls may carry 16 MiB of arguments (docs/http-api.md); a little headroom on top. */
export const MAX_BODY_BYTES = 20 * 1024 * 1024;

export class BodyTooLarge extends Error {}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export interface Forward {
  readonly target: string;
  readonly headers: Record<string, string>;
}

/** Request headers worth passing on; cookies and the like stay behind. */
const PASSED = ["content-type", "convex-client", "accept"] as const;

export async function forward(req: IncomingMessage, res: ServerResponse, to: Forward): Promise<void> {
  const method = req.method ?? "GET";
  const headers: Record<string, string> = {};
  for (const h of PASSED) {
    const v = req.headers[h];
    if (typeof v === "string") headers[h] = v;
  }
  Object.assign(headers, to.headers);
  const body = method === "GET" || method === "HEAD" ? undefined : await readBody(req);
  // A long poll (the log tail) ends when the browser goes away.
  const abort = new AbortController();
  res.on("close", () => abort.abort());
  let answer: Response;
  try {
    answer = await fetch(to.target, {
      method,
      headers,
      ...(body ? { body: new Uint8Array(body) } : {}),
      signal: abort.signal,
      redirect: "manual",
    });
  } catch (e) {
    if (abort.signal.aborted) return;
    res.writeHead(502, { "Content-Type": "application/json" });
    res.end(
      JSON.stringify({
        code: "Unreachable",
        message: `The service behind the dashboard did not answer: ${(e as Error).message}`,
      }),
    );
    return;
  }
  const out: Record<string, string> = {};
  const type = answer.headers.get("content-type");
  if (type) out["Content-Type"] = type;
  const retry = answer.headers.get("retry-after");
  if (retry) out["Retry-After"] = retry;
  const bytes = Buffer.from(await answer.arrayBuffer());
  res.writeHead(answer.status, out);
  res.end(bytes);
}
