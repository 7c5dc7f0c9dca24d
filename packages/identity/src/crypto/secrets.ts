/** Random secrets, one-way digests and constant-time comparison for tokens and codes. */
import { createHash, randomBytes, randomInt, timingSafeEqual } from "node:crypto";

export const sha256Hex = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

/** Constant-time string equality (lengths are compared by hashing both first). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a, "utf8").digest();
  const hb = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(ha, hb);
}

export const randomToken = (bytes = 32) => randomBytes(bytes).toString("base64url");

/** A six-digit one-time code. */
export const newCode = () => String(randomInt(0, 1_000_000)).padStart(6, "0");
