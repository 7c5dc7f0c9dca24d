/**
 * Publishable keys: `pk_test_`/`pk_live_` + base64("<host>[/path]$") (docs/identity-api.md#keys). The key
 * names the Frontend API host but no scheme: loopback hosts are served over http (that is what
 * `tandem dev` runs), everything else over https, as Clerk does.
 */
import { AuthClientError } from "./errors.js";

export interface DecodedKey {
  instance: "development" | "production";
  /** Frontend API base URL without a trailing slash, e.g. `http://127.0.0.1:3212`. */
  frontendApi: string;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Plain base64 → UTF-8 without Buffer or atob (neither is guaranteed in every runtime). */
export function decodeBase64(text: string): string | null {
  const clean = text.replace(/=+$/, "");
  const bytes: number[] = [];
  let bits = 0;
  let acc = 0;
  for (const ch of clean) {
    const v = B64.indexOf(ch);
    if (v < 0) return null;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((acc >> bits) & 0xff);
    }
  }
  if (bytes.every((b) => b < 0x80)) return String.fromCharCode(...bytes);
  if (typeof TextDecoder === "undefined") return null;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    return null;
  }
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(:\d+)?$|\.localhost(:\d+)?$/i;

export function decodePublishableKey(key: string): DecodedKey {
  const m = /^pk_(test|live)_([A-Za-z0-9+/]+={0,2})$/.exec(key.trim());
  const decoded = m ? decodeBase64(m[2]!) : null;
  if (!m || !decoded || !decoded.endsWith("$") || decoded.slice(0, -1).includes("$") || decoded.length < 2)
    throw new AuthClientError("invalid_publishable_key", "The publishable key is not a pk_test_/pk_live_ key.");
  const hostPath = decoded.slice(0, -1).replace(/\/+$/, "");
  const host = hostPath.split("/")[0]!;
  const scheme = LOOPBACK.test(host) ? "http" : "https";
  return { instance: m[1] === "live" ? "production" : "development", frontendApi: `${scheme}://${hostPath}` };
}
