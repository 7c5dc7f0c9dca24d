/** A growable byte buffer for building keys without intermediate arrays. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(capacity = 64) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }

  u64(v: bigint): void {
    this.reserve(8);
    this.view.setBigUint64(this.length, v, false);
    this.length += 8;
  }

  /** Writes `bytes` escaped (0x00 → 0x00 0xFF) and terminated by 0x00 0x00. */
  escaped(bytes: Uint8Array): void {
    this.reserve(bytes.length * 2 + 2);
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      this.buf[this.length++] = b;
      if (b === 0) this.buf[this.length++] = 0xff;
    }
    this.buf[this.length++] = 0;
    this.buf[this.length++] = 0;
  }

  /** A Buffer (a Uint8Array that better-sqlite3 binds as a BLOB) with exactly the written bytes. */
  finish(): Buffer {
    return Buffer.from(this.buf.buffer, 0, this.length);
  }
}
