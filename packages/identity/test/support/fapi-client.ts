/**
 * A minimal Frontend API caller for tests, in either transport: header mode (the client token in
 * `Authorization`, as native apps do) or cookie mode (a one-origin cookie jar, as a browser does).
 * Bodies go out form-encoded like clerk-js sends them.
 */
import { parseSetCookie } from "cookie";

export type Mode = "header" | "cookie";

export interface FapiResponse {
  status: number;
  headers: Headers;
  body: any;
}

export class FapiClient {
  token: string | undefined;
  cookies = new Map<string, string>();
  setCookies: string[] = [];

  constructor(
    readonly base: string,
    readonly mode: Mode,
    readonly origin?: string,
  ) {}

  async call(
    method: string,
    path: string,
    body?: Record<string, string> | string,
    extraHeaders: Record<string, string> = {},
  ): Promise<FapiResponse> {
    const headers: Record<string, string> = { ...extraHeaders };
    const url = new URL(this.base + path);
    if (this.mode === "header") {
      url.searchParams.set("_is_native", "1");
      if (this.token) headers.authorization = this.token;
    } else if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (this.origin) headers.origin = this.origin;
    let payload: string | undefined;
    if (method !== "GET") {
      headers["content-type"] ??= "application/x-www-form-urlencoded";
      payload = typeof body === "string" ? body : new URLSearchParams(body ?? {}).toString();
      if (method !== "POST") url.searchParams.set("_method", method);
    }
    const res = await fetch(url, {
      method: method === "GET" ? "GET" : "POST",
      headers,
      ...(payload !== undefined ? { body: payload } : {}),
    });
    const auth = res.headers.get("authorization");
    if (this.mode === "header" && auth) this.token = auth;
    this.setCookies = res.headers.getSetCookie();
    for (const sc of this.setCookies) {
      const c = parseSetCookie(sc);
      if (c.value !== undefined) this.cookies.set(c.name, c.value);
    }
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }

  post = (path: string, body?: Record<string, string> | string, h?: Record<string, string>) =>
    this.call("POST", path, body, h);
  get = (path: string) => this.call("GET", path);
}

export function claimsOf(jwt: string): Record<string, any> {
  return JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString("utf8"));
}

/** Backend API call with the secret key. */
export async function bapi(base: string, secretKey: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}/backend/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${secretKey}`, "content-type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}
