/**
 * The id footer's checksum (`id_v6.rs`): Fletcher-16 as Convex computes it, with sums modulo 256
 * (not the textbook 255), returned as `(c1 << 8) | c0`.
 */
export function fletcher16(bytes: Uint8Array): number {
  let c0 = 0;
  let c1 = 0;
  for (const b of bytes) {
    c0 = (c0 + b) & 0xff;
    c1 = (c1 + c0) & 0xff;
  }
  return (c1 << 8) | c0;
}
