/**
 * An HTTP action as it crosses from the site server to the action runtime and back. Bodies are
 * web `ReadableStream`s, so they stream both ways (and transfer between threads).
 */
import type { FunctionError, Identity } from "../engine/types.js";

/** Methods an `httpRouter` can route (`HEAD` is looked up as `GET`, docs/architecture.md#schema-and-config). */
export const ROUTABLE_METHODS: ReadonlySet<string> = new Set([
  "GET",
  "POST",
  "PUT",
  "DELETE",
  "OPTIONS",
  "PATCH",
  "HEAD",
]);

export interface HttpActionRequest {
  readonly method: string;
  /** Absolute URL on the site origin, as `request.url` shows it to the action. */
  readonly url: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** `null` for GET and HEAD. */
  readonly body: ReadableStream<Uint8Array> | null;
  readonly identity: Identity;
  /**
   * A bearer token that failed verification: the action still runs and
   * `ctx.auth.getUserIdentity()` throws this message (docs/http-api.md#http-actions).
   */
  readonly authError: string | null;
}

export type HttpActionOutcome =
  | {
      readonly kind: "response";
      readonly status: number;
      readonly statusText: string;
      readonly headers: ReadonlyArray<readonly [string, string]>;
      readonly body: ReadableStream<Uint8Array> | null;
      readonly logLines: string[];
    }
  /** No `http.js`, or its router has no route for the path and method. */
  | { readonly kind: "notFound"; readonly logLines: string[] }
  | { readonly kind: "error"; readonly error: FunctionError; readonly logLines: string[] };

/** The part of a request that crosses to an action thread (the body travels as a transfer). */
export type HttpActionJob = Omit<HttpActionRequest, "body">;
