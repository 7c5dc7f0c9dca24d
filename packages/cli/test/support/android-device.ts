/**
 * What Clerk's Android SDK (clerk-android-api 1.x) puts on the wire, replayed from its source
 * (docs/android-guide.md): the Frontend API base is `https://` + the host in the publishable key,
 * every call carries `_is_native=true`, the SDK's headers and the raw device token in
 * `Authorization`; the response token is saved only when the stored one is the one sent
 * (`DeviceTokenSavingMiddleware`), and a piggy-backed client is adopted under the same condition
 * (`ClientSyncingMiddleware`). The device reaches `10.0.2.2` as this machine's loopback, as the
 * emulator does, and checks the certificate against the host it asked for.
 */
import { request } from "node:https";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { randomUUID } from "node:crypto";
import { Client, decode } from "./kotlin-models.js";

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** `10.0.2.2` (the emulator's host alias) and `localhost` lead to this machine's loopback. */
export const reach = (host: string) => (host === "10.0.2.2" || host === "localhost" ? "127.0.0.1" : host);

/** TLS options of a device that trusts `ca` and connects to `host` (by its address on this machine). */
export function deviceTls(ca: string, host: string) {
  return { ca, checkServerIdentity: (_h: string, cert: PeerCertificate) => checkServerIdentity(host, cert) };
}

export function frontendApiOf(publishableKey: string): URL {
  const decoded = Buffer.from(publishableKey.replace(/^pk_(test|live)_/, ""), "base64").toString("utf8");
  return new URL(`https://${decoded.slice(0, -1)}`);
}

export function httpsCall(
  url: URL,
  ca: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: reach(url.hostname),
        port: url.port,
        path: url.pathname + url.search,
        method,
        headers: {
          host: url.host,
          ...headers,
          ...(body !== undefined ? { "content-length": String(Buffer.byteLength(body)) } : {}),
        },
        ...deviceTls(ca, url.hostname),
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {}
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

export class AndroidDevice {
  readonly base: URL;
  /** The SDK's stored device token (`StorageHelper`). */
  token: string | null = null;
  /** `Clerk.client` as the SDK holds it. */
  client: any = null;
  readonly calls: string[] = [];
  readonly deviceId = randomUUID();

  constructor(
    publishableKey: string,
    private readonly ca: string,
    private readonly sdkVersion: { api: string; sdk: string } = { api: "2026-05-12", sdk: "1.1.3" },
  ) {
    this.base = frontendApiOf(publishableKey);
  }

  /** One SDK call; `skipClientId` is the sign-out's last `GET /v1/client` (no token, no client id). */
  async call(
    method: "GET" | "POST" | "DELETE",
    path: string,
    form?: Record<string, string>,
    opts: { skipClientId?: boolean } = {},
  ): Promise<Reply> {
    const url = new URL(`${this.base.href.replace(/\/$/, "")}/v1${path}`);
    url.searchParams.set("_is_native", "true");
    const sent = opts.skipClientId ? null : this.token;
    const headers: Record<string, string> = {
      "clerk-api-version": this.sdkVersion.api,
      "x-android-sdk-version": this.sdkVersion.sdk,
      "x-mobile": "1",
      "x-native-device-id": this.deviceId,
      "user-agent": "okhttp/4.12.0",
    };
    if (this.client?.id && !opts.skipClientId) headers["x-clerk-client-id"] = this.client.id;
    if (sent) headers.authorization = sent;
    let body: string | undefined;
    if (method === "POST") {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(form ?? {}).toString();
    }
    this.calls.push(`${method} ${path}`);
    const reply = await httpsCall(url, this.ca, method, headers, body);
    const returned = typeof reply.headers.authorization === "string" ? reply.headers.authorization : null;
    if (returned && this.token === sent) this.token = returned;
    const b = reply.body as { client?: unknown } | null;
    if (b && typeof b === "object" && b.client != null && this.token === (returned ?? sent))
      this.client = decode(b.client, Client, "$.client");
    return reply;
  }
}
