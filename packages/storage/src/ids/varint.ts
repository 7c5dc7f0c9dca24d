/** Unsigned LEB128 for table numbers (at most 32 bits, so at most 5 bytes). */
export function encodeVarint(n: number): number[] {
  const out: number[] = [];
  let rest = n >>> 0;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  out.push(rest);
  return out;
}

/** `null` when truncated or longer than 5 bytes. */
export function decodeVarint(bytes: Uint8Array): { value: number; length: number } | null {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (i >= bytes.length) return null;
    const b = bytes[i]!;
    value += (b & 0x7f) * 2 ** (7 * i);
    if (b < 0x80) return value > 0xffffffff ? null : { value, length: i + 1 };
  }
  return null;
}
