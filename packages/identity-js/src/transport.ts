/**
 * The Frontend API over fetch, in one of two modes (packages/identity/src/fapi/client-context.ts):
 * - `cookie` (browsers): the HttpOnly `__client` cookie on the identity origin carries the client;
 *   requests are credentialed.
 * - `header` (Node, React Native, CLIs): the client token travels in `Authorization` and is kept
 *   in the given storage; the server hands a new one back in the response's `Authorization`.
 * Bodies go out form-encoded with snake_case keys and PATCH/DELETE tunnel through POST
 * (`_method`), as clerk-js sends them, so a browser never needs a CORS preflight in cookie mode.
 */
import { backoffDelay, sleep } from "@tandem/shared";
import { AuthApiError, AuthClientError, type AuthApiErrorItem } from "./errors.js";
import type { AuthStorage } from "./storage.js";

export type TransportMode = "cookie" | "header";
export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";
export type FormValue = string | number | boolean | null | undefined | Record<string, unknown>;

export interface TransportOptions {
  baseUrl: string;
  mode: TransportMode;
  storage: AuthStorage;
  fetch: typeof fetch;
}

const GET_ATTEMPTS = 3;

export const snakeCase = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export function formBody(fields: Record<string, FormValue>): string {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    form.append(snakeCase(k), v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));
  }
  return form.toString();
}

function camelErrors(body: unknown): AuthApiErrorItem[] {
  const list = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(list)) return [];
  return list.map((e: Record<string, unknown>) => {
    const meta = (e.meta ?? {}) as Record<string, unknown>;
    const { param_name, ...rest } = meta;
    return {
      code: String(e.code ?? "api_error"),
      message: String(e.message ?? ""),
      longMessage: String(e.long_message ?? e.message ?? ""),
      meta: { ...rest, ...(typeof param_name === "string" ? { paramName: param_name } : {}) },
    };
  });
}

export class FapiTransport {
  readonly tokenKey: string;

  constructor(readonly opts: TransportOptions) {
    this.tokenKey = `tandem:client:${opts.baseUrl}`;
  }

  get mode(): TransportMode {
    return this.opts.mode;
  }

  async request<T>(
    method: HttpMethod,
    path: string,
    fields?: Record<string, FormValue>,
    query: Record<string, string> = {},
  ): Promise<T> {
    const url = new URL(this.opts.baseUrl + path);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    if (method === "PATCH" || method === "DELETE") url.searchParams.set("_method", method);
    const headers: Record<string, string> = {};
    let sentToken: string | null = null;
    if (this.opts.mode === "header") {
      url.searchParams.set("_is_native", "1");
      sentToken = (await this.opts.storage.getItem(this.tokenKey)) ?? null;
      if (sentToken) headers.authorization = sentToken;
    }
    const init: RequestInit = {
      method: method === "GET" ? "GET" : "POST",
      headers,
      credentials: this.opts.mode === "cookie" ? "include" : "omit",
    };
    if (method !== "GET") {
      headers["content-type"] = "application/x-www-form-urlencoded";
      init.body = formBody(fields ?? {});
    }
    const res = await this.send(url, init, method === "GET" ? GET_ATTEMPTS : 1);
    if (this.opts.mode === "header") {
      // Only a token different from the one we sent is news: an echo of an older token from a
      // request that raced a sign-in must not overwrite the rotated one.
      const issued = res.headers.get("authorization");
      if (issued && issued !== sentToken) await this.opts.storage.setItem(this.tokenKey, issued);
    }
    const text = await res.text();
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        throw new AuthClientError(
          "invalid_response",
          `The identity service answered ${res.status} with a body that is not JSON.`,
        );
      }
    }
    if (!res.ok) {
      const retry = Number(res.headers.get("retry-after"));
      throw new AuthApiError(res.status, camelErrors(body), Number.isFinite(retry) && retry > 0 ? retry : undefined);
    }
    return body as T;
  }

  /** Forgets the stored client token (header mode). */
  async forgetClient(): Promise<void> {
    if (this.opts.mode === "header") await this.opts.storage.removeItem(this.tokenKey);
  }

  private async send(url: URL, init: RequestInit, attempts: number): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.opts.fetch(url, init);
      } catch (e) {
        if (attempt + 1 >= attempts)
          throw new AuthClientError("network_error", `Could not reach the identity service at ${url.origin}.`, {
            cause: e,
          });
        await sleep(backoffDelay(attempt, 200, 2000));
      }
    }
  }
}
