/**
 * Which client (browser or device) a Frontend API request belongs to, and how its token travels.
 *
 * - Cookie mode (browsers): the client token sits in the HttpOnly `__client` cookie on the
 *   identity origin (SameSite=Lax). It is rotated at every sign-in (session fixation).
 * - Header mode (native apps, CLIs, tests; `?_is_native=1|true` or an `Authorization` header): the
 *   token travels in `Authorization`, and every response carries the current one back. A
 *   first-launch Android request has no `Authorization` and `_is_native=true`.
 *
 * A token is `<client id>.<secret>`; only SHA-256 of the secret is stored and it is compared in
 * constant time. An unknown or forged token is treated as "no client yet".
 */
import { parseCookie, stringifySetCookie } from "cookie";
import { newId, parseId } from "../ids.js";
import { randomToken, safeEqual, sha256Hex } from "../crypto/secrets.js";
import type { ClientRecord } from "../store/types.js";
import type { IdentityService } from "../domain/service.js";
import type { Req } from "../http/context.js";

export const CLIENT_COOKIE = "__client";
const COOKIE_MAX_AGE = 365 * 24 * 3600;

export type TransportMode = "cookie" | "header";

export class ClientContext {
  #issued: string | null = null;

  private constructor(
    private readonly svc: IdentityService,
    readonly mode: TransportMode,
    public client: ClientRecord | null,
    private readonly secureCookie: boolean,
    /** The request names itself a native SDK (`_is_native`): its session tokens get the native lifetime. */
    readonly native: boolean,
  ) {}

  static async resolve(svc: IdentityService, req: Req, secureCookie: boolean): Promise<ClientContext> {
    const auth = req.headers.authorization;
    const isNative = req.query.get("_is_native");
    const native = isNative === "1" || isNative === "true";
    const mode: TransportMode = native || auth !== undefined ? "header" : "cookie";
    const raw =
      mode === "header" ? auth?.replace(/^Bearer\s+/i, "") : parseCookie(req.headers.cookie ?? "")[CLIENT_COOKIE];
    return new ClientContext(svc, mode, await ClientContext.lookup(svc, raw), secureCookie, native);
  }

  private static async lookup(svc: IdentityService, raw: string | undefined): Promise<ClientRecord | null> {
    if (!raw || raw.length > 200) return null;
    const dot = raw.indexOf(".");
    if (dot < 0) return null;
    const id = parseId.client(raw.slice(0, dot));
    if (!id) return null;
    const client = await svc.store.getClient(svc.instanceId, id);
    if (!client) return null;
    return safeEqual(client.tokenHash, sha256Hex(raw.slice(dot + 1))) ? client : null;
  }

  /** The request's client, created on first use. */
  async ensure(): Promise<ClientRecord> {
    if (this.client) return this.client;
    const now = this.svc.now();
    const secret = randomToken();
    const client: ClientRecord = {
      id: newId.client(),
      instanceId: this.svc.instanceId,
      tokenHash: sha256Hex(secret),
      signInId: null,
      signUpId: null,
      lastActiveSessionId: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.svc.store.saveClient(client);
    this.#issued = `${client.id}.${secret}`;
    this.client = client;
    return client;
  }

  /** New secret for the same client: the old cookie/header stops working. */
  async rotate(): Promise<void> {
    const client = await this.ensure();
    const secret = randomToken();
    await this.save({ ...client, tokenHash: sha256Hex(secret) });
    this.#issued = `${client.id}.${secret}`;
  }

  async save(next: ClientRecord): Promise<ClientRecord> {
    const c = { ...next, updatedAt: this.svc.now() };
    await this.svc.store.saveClient(c);
    this.client = c;
    return c;
  }

  /** Headers that hand the (new) token back: Set-Cookie in cookie mode, Authorization in header mode. */
  responseHeaders(requestToken: string | undefined): Record<string, string> {
    if (this.mode === "header") {
      const token = this.#issued ?? (this.client ? requestToken : undefined);
      return token ? { authorization: token } : {};
    }
    if (!this.#issued) return {};
    return {
      "set-cookie": stringifySetCookie(CLIENT_COOKIE, this.#issued, {
        httpOnly: true,
        sameSite: "lax",
        path: "/",
        maxAge: COOKIE_MAX_AGE,
        secure: this.secureCookie,
      }),
    };
  }
}
