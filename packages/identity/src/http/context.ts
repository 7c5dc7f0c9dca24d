/** What a handler sees of a request and what it returns. */
import type { IncomingHttpHeaders } from "node:http";
import type { Fields } from "./fields.js";
import type { Method } from "./router.js";

export interface Req {
  method: Method;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  ip: string;
  /** The browser `Origin`, when one was sent. */
  origin: string | undefined;
  fields: Fields;
}

export interface Reply {
  status?: number;
  /** Serialised as JSON; `undefined` with status 204 sends no body. */
  body?: unknown;
  headers?: Record<string, string | string[]>;
}

export type Handler = (req: Req, params: Record<string, string>) => Promise<Reply>;

export const ok = (body: unknown, headers?: Record<string, string | string[]>): Reply => ({
  status: 200,
  body,
  ...(headers ? { headers } : {}),
});
