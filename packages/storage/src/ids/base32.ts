/**
 * Convex's base32 (`value/src/base32.rs`): alphabet without i, l, o, u; 5-byte groups become 8
 * characters, most significant bits first, no padding characters.
 */
export const BASE32_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const INVERSE = new Map<string, number>([...BASE32_ALPHABET].map((c, i) => [c, i]));

export function encodeBase32(bytes: Uint8Array): string {
  let out = "";
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(acc >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(acc << (5 - bits)) & 31];
  return out;
}

/** Decodes `floor(len * 5 / 8)` bytes; `null` on a character outside the alphabet. */
export function decodeBase32(s: string): Uint8Array | null {
  const out = new Uint8Array(Math.floor((s.length * 5) / 8));
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (const c of s) {
    const v = INVERSE.get(c);
    if (v === undefined) return null;
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      if (n < out.length) out[n++] = (acc >> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  return out;
}
