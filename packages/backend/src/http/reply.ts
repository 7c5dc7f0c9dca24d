/**
 * What a route handler answers. Handlers return a `Reply` value instead of writing to the
 * socket, so the router alone owns headers (CORS), errors and the response lifecycle.
 */
import type { TandemError } from "@tandem/shared";

export interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
}

export function jsonReply(value: unknown, status = 200): Reply {
  return {
    status,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(value),
  };
}

export function textReply(body: string, status = 200): Reply {
  return { status, headers: { "Content-Type": "text/plain; charset=utf-8" }, body };
}

/** Errors before a function runs: `{"code","message"}` with the error's status (docs/http-api.md#common-rules). */
export function errorReply(error: TandemError): Reply {
  return jsonReply({ code: error.code, message: error.message }, error.status);
}
