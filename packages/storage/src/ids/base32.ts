/**
 * Convex's base32 (`value/src/base32.rs`): alphabet without i, l, o, u; 5-byte groups become 8
 * characters, most significant bits first, no padding characters.
 */
export const BASE32_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
/** Character code → value, -1 outside the alphabet. */
const INVERSE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE32_ALPHABET.length; i++) INVERSE[BASE32_ALPHABET.charCodeAt(i)] = i;

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

/**
 * Decodes `floor(len * 5 / 8)` bytes; `null` on a character outside the alphabet, or when the
 * text is not the canonical encoding of those bytes (`encodeBase32` would not give it back): a
 * length no byte count encodes to, or non-zero padding bits.
 */
export function decodeBase32(s: string): Uint8Array | null {
  const out = new Uint8Array(Math.floor((s.length * 5) / 8));
  if (Math.ceil((out.length * 8) / 5) !== s.length) return null;
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? INVERSE[c]! : -1;
    if (v < 0) return null;
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out[n++] = (acc >> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) return null;
  return out;
}
