/**
 * A document's `by_id` key, under which its versions are stored: `encodeIndexKey([id])`, i.e. the
 * string tag, the id's ASCII bytes (never 0x00), then the 0x00 0x00 terminator.
 */
import type { IndexKey } from "../types.js";
import { encodeIndexKey } from "../keys/encode.js";
import { Tag } from "../keys/tags.js";

const ASCII_ID = /^[0-9a-z]+$/;

export function docKeyOf(id: string): IndexKey {
  // Ids are ASCII without 0x00, so the encoding is just tag ‖ bytes ‖ 0x00 0x00.
  if (!ASCII_ID.test(id)) return encodeIndexKey([id]);
  const key = Buffer.allocUnsafeSlow(id.length + 3); // not a pool view: keys cross threads
  key[0] = Tag.String;
  key.write(id, 1, "latin1");
  key[id.length + 1] = 0;
  key[id.length + 2] = 0;
  return key as unknown as IndexKey;
}

export function idOfDocKey(key: Uint8Array): string {
  if (key[0] !== Tag.String || key.length < 3) throw new Error("not a document key");
  return Buffer.from(key.buffer, key.byteOffset + 1, key.byteLength - 3).toString("latin1");
}
