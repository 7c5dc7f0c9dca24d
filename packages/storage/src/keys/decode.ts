/** The inverse of `encodeIndexKey`. */
import type { Value } from "convex/values";
import { ESCAPE, Tag } from "./tags.js";

const SIGN = 0x8000_0000_0000_0000n;
const ALL = 0xffff_ffff_ffff_ffffn;
const utf8 = new TextDecoder("utf-8", { fatal: true });

export function decodeIndexKey(key: Uint8Array): (Value | undefined)[] {
  const r = new Reader(key);
  const out: (Value | undefined)[] = [];
  while (r.pos < key.length) out.push(readValue(r, r.byte(), true));
  return out;
}

class Reader {
  pos = 0;
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  byte(): number {
    if (this.pos >= this.bytes.length) throw new TypeError("index key truncated");
    return this.bytes[this.pos++]!;
  }
  u64(): bigint {
    if (this.pos + 8 > this.bytes.length) throw new TypeError("index key truncated");
    const v = this.view.getBigUint64(this.pos, false);
    this.pos += 8;
    return v;
  }
  escaped(): Uint8Array {
    const out: number[] = [];
    for (;;) {
      const b = this.byte();
      if (b !== 0) {
        out.push(b);
        continue;
      }
      const next = this.byte();
      if (next === 0) return Uint8Array.from(out);
      if (next !== ESCAPE) throw new TypeError("index key has a bad escape");
      out.push(0);
    }
  }
}

const f64 = new DataView(new ArrayBuffer(8));

function readValue(r: Reader, tag: number, topLevel: boolean): Value | undefined {
  switch (tag) {
    case Tag.Undefined:
      if (!topLevel) throw new TypeError("index key has undefined inside a value");
      return undefined;
    case Tag.Null:
      return null;
    case Tag.Int64:
      return BigInt.asIntN(64, r.u64() ^ SIGN);
    case Tag.Float64: {
      const k = r.u64();
      f64.setBigUint64(0, k & SIGN ? k ^ SIGN : ~k & ALL, false);
      return f64.getFloat64(0, false);
    }
    case Tag.False:
      return false;
    case Tag.True:
      return true;
    case Tag.String:
      return utf8.decode(r.escaped());
    case Tag.Bytes: {
      const b = r.escaped();
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    }
    case Tag.Array: {
      const out: Value[] = [];
      for (let t = r.byte(); t !== Tag.End; t = r.byte()) out.push(readValue(r, t, false) as Value);
      return out;
    }
    case Tag.Object: {
      const out: Record<string, Value> = {};
      for (let t = r.byte(); t !== Tag.End; t = r.byte()) {
        if (t !== Tag.String) throw new TypeError("index key has a bad object field");
        const name = utf8.decode(r.escaped());
        out[name] = readValue(r, r.byte(), false) as Value;
      }
      return out;
    }
    default:
      throw new TypeError(`index key has an unknown type tag ${tag}`);
  }
}
