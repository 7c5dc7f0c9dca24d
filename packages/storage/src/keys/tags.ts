/**
 * Type tags of the index-key encoding, in Convex's total order (docs/semantics.md#values-and-ids). `End` closes an array
 * or object and sorts before every element, so a shorter array sorts before its extensions.
 */
export const Tag = {
  End: 0x00,
  Undefined: 0x01,
  Null: 0x02,
  Int64: 0x03,
  Float64: 0x04,
  False: 0x05,
  True: 0x06,
  String: 0x07,
  Bytes: 0x08,
  Array: 0x09,
  Object: 0x0a,
} as const;
export type Tag = (typeof Tag)[keyof typeof Tag];

/**
 * Strings and bytes are 0x00-terminated runs in which a literal 0x00 is written 0x00 0xFF, and the
 * run ends with 0x00 0x00: the terminator sorts before any continuation, and no encoding is a prefix
 * of another (so `prefixSuccessor` of one value never takes in a longer one).
 */
export const ESCAPE = 0xff;
