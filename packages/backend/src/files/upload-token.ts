/**
 * Upload tokens in `generateUploadUrl()`'s URL. A token is `<issued-at ms, base36>.<nonce>.<mac>`
 * with an HMAC-SHA256 over the first two parts under a secret kept in the data folder: it cannot
 * be forged or altered, and it is accepted for one hour after issue — as on Convex, where an
 * upload URL may be posted to until it expires.
 */
import { backendError } from "../errors.js";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { TandemError } from "@tandem/shared";

export const UPLOAD_TOKEN_VALIDITY_MS = 60 * 60 * 1000;

export class UploadTokens {
  readonly #secret: Buffer;
  readonly #now: () => number;

  constructor(secret: Buffer, now: () => number = Date.now) {
    if (secret.length < 32) throw new TypeError("upload token secret must be at least 32 bytes");
    this.#secret = secret;
    this.#now = now;
  }

  #mac(body: string): string {
    return createHmac("sha256", this.#secret).update(body).digest("base64url");
  }

  issue(): string {
    const body = `${this.#now().toString(36)}.${randomBytes(12).toString("base64url")}`;
    return `${body}.${this.#mac(body)}`;
  }

  /** Throws `InvalidStorageToken` (forged, altered, garbled) or `StorageTokenExpired`. */
  verify(token: unknown): void {
    if (typeof token !== "string" || token.length > 200) throw invalidToken();
    const m = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) throw invalidToken();
    const expected = Buffer.from(this.#mac(`${m[1]}.${m[2]}`));
    const given = Buffer.from(m[3]!);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidToken();
    const issued = parseInt(m[1]!, 36);
    const age = this.#now() - issued;
    if (!(age <= UPLOAD_TOKEN_VALIDITY_MS) || age < -60_000)
      throw backendError(
        "Unauthenticated",
        "StorageTokenExpired",
        "Storage upload URL expired: request a new one with generateUploadUrl().",
      );
  }
}

function invalidToken(): TandemError {
  return backendError(
    "Unauthenticated",
    "InvalidStorageToken",
    "Invalid storage upload token: request a new upload URL with generateUploadUrl().",
  );
}
