/**
 * Builds keys in one shared scratch buffer (keys are built one at a time, synchronously) and copies
 * each finished key out at its exact size: no per-key growable buffer, DataView or BigInt math.
 */
let scratch = new Uint8Array(1024);
/** One 8-byte word seen as a float64, a uint64 and its bytes (in the platform's byte order). */
const word = new ArrayBuffer(8);
const wordF64 = new Float64Array(word);
const wordU64 = new BigUint64Array(word);
const wordBytes = new Uint8Array(word);
/** Index of the word's most significant byte in `wordBytes`. */
const MSB = new Uint8Array(new Float64Array([-0]).buffer)[7] === 0x80 ? 7 : 0;
const utf8 = new TextEncoder();

export class ByteWriter {
  length = 0;
  private buf: Uint8Array;

  constructor() {
    this.buf = scratch;
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    if (cap <= 1 << 20) scratch = next; // keep a grown scratch, within reason
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }

  bytes(src: Uint8Array): void {
    this.reserve(src.length);
    this.buf.set(src, this.length);
    this.length += src.length;
  }

  /** 8 big-endian bytes of a 64-bit unsigned value. */
  u64(v: bigint): void {
    wordU64[0] = v;
    this.word(0, 0);
  }

  /** A float64 in IEEE total order: negatives flip every bit, the rest only the sign bit. */
  orderedFloat64(v: number): void {
    wordF64[0] = v;
    const negative = (wordBytes[MSB]! & 0x80) !== 0;
    this.word(negative ? 0xff : 0x80, negative ? 0xff : 0);
  }

  /** The word's bytes, most significant first, the first XORed with `firstXor`, the rest `restXor`. */
  private word(firstXor: number, restXor: number): void {
    this.reserve(8);
    for (let i = 0; i < 8; i++)
      this.buf[this.length + i] = wordBytes[MSB === 7 ? 7 - i : i]! ^ (i === 0 ? firstXor : restXor);
    this.length += 8;
  }

  /** Writes `bytes` escaped (0x00 → 0x00 0xFF) and terminated by 0x00 0x00. */
  escaped(bytes: Uint8Array): void {
    this.reserve(bytes.length * 2 + 2);
    const buf = this.buf;
    let at = this.length;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      buf[at++] = b;
      if (b === 0) buf[at++] = 0xff;
    }
    buf[at++] = 0;
    buf[at++] = 0;
    this.length = at;
  }

  /**
   * Writes a string's UTF-8 bytes escaped and terminated like `escaped`. ASCII without NUL (ids,
   * field names, most values) is copied char by char; anything else goes through TextEncoder.
   */
  escapedString(s: string): void {
    this.reserve(s.length + 2);
    const buf = this.buf;
    let at = this.length;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0 || c >= 0x80) return this.escaped(utf8.encode(s));
      buf[at++] = c;
    }
    buf[at++] = 0;
    buf[at++] = 0;
    this.length = at;
  }

  /**
   * A Buffer (a Uint8Array that better-sqlite3 binds as a BLOB) with exactly the written bytes, in
   * memory of its own: keys cross threads, and a view into Node's shared 8 KiB pool would carry the
   * whole pool block with it (structured clone copies a view's entire buffer). Small keys live on
   * the V8 heap then, which also spares the collector an external block per key (subscriptions
   * hold hundreds of thousands of them).
   */
  finish(): Buffer {
    const out = Buffer.alloc(this.length);
    out.set(this.buf.subarray(0, this.length));
    return out;
  }
}
