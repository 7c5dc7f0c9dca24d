import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { BASE32_ALPHABET, decodeId, encodeId, isId, newDocumentId, tableNumberOfId } from "../src/index.js";

test("decodes Convex's published stability vector", () => {
  // From Convex's id-encoding test: table 1017, internal id bytes 251^k mod 256.
  const expected = [251];
  for (let i = 1; i < 16; i++) expected.push((expected[i - 1]! * 251) % 256);
  const id = "z43zp6c3e75gkmz1kfwj6mbbx5sw281h";
  const decoded = decodeId(id);
  assert.ok(decoded);
  assert.equal(decoded.tableNumber, 1017);
  assert.deepEqual([...decoded.internalId], expected);
  assert.equal(encodeId(1017, Uint8Array.from(expected)), id);
});

test("encode/decode round-trip for every table number width", () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.integer({ min: 1, max: 0xffffffff }), fc.constantFrom(1, 127, 128, 16383, 16384, 10001, 0xffffffff)),
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      (table, internal) => {
        const id = encodeId(table, internal);
        assert.ok(id.length >= 31 && id.length <= 37, id);
        assert.match(id, /^[0-9a-hjkmnp-tv-z]+$/);
        const back = decodeId(id);
        assert.ok(back);
        assert.equal(back.tableNumber, table);
        assert.deepEqual([...back.internalId], [...internal]);
      },
    ),
    { numRuns: 2000 },
  );
});

test("rejects malformed ids", () => {
  const good = encodeId(10001, new Uint8Array(16).fill(7));
  assert.equal(decodeId(good)?.tableNumber, 10001);
  const flip = (s: string, i: number) => {
    const c = BASE32_ALPHABET[(BASE32_ALPHABET.indexOf(s[i]!) + 1) % 32]!;
    return s.slice(0, i) + c + s.slice(i + 1);
  };
  for (let i = 0; i < good.length; i++) assert.equal(decodeId(flip(good, i)), null, `flipped char ${i}`);
  assert.equal(decodeId(good.slice(0, -1)), null);
  assert.equal(decodeId(good + "0"), null);
  assert.equal(decodeId(good.toUpperCase()), null);
  assert.equal(decodeId(good.replace(/.$/, "u")), null); // 'u' is not in the alphabet
  assert.equal(decodeId(""), null);
  assert.equal(decodeId("0".repeat(32)), null);
  assert.equal(isId("not an id at all, certainly not!"), false);
  assert.throws(() => encodeId(0, new Uint8Array(16)), TypeError);
  assert.throws(() => encodeId(1, new Uint8Array(15)), TypeError);
  // Random strings of valid length and alphabet are almost never ids; those that are must round-trip.
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom(...BASE32_ALPHABET), minLength: 31, maxLength: 37 }), (s) => {
      const d = decodeId(s);
      if (d) assert.equal(encodeId(d.tableNumber, d.internalId), s);
    }),
    { numRuns: 2000 },
  );
});

test("only canonical encodings decode: no over-long table numbers, no padding bits", async () => {
  const { fletcher16 } = await import("../src/ids/checksum.js");
  const { encodeBase32 } = await import("../src/ids/base32.js");
  const internal = new Uint8Array(16).fill(9);
  // Table 1 written as a two-byte varint (0x81 0x00) with a correct checksum: not canonical.
  const bytes = Uint8Array.from([0x81, 0x00, ...internal, 0, 0]);
  const footer = fletcher16(bytes.subarray(0, 18));
  bytes[18] = footer & 0xff;
  bytes[19] = footer >> 8;
  assert.equal(decodeId(encodeBase32(bytes)), null);
  // Every one-character change of a valid id (any width) either fails or is itself canonical.
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 0xffffffff }),
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fc.nat(),
      fc.constantFrom(...BASE32_ALPHABET),
      (table, internalId, at, c) => {
        const id = encodeId(table, internalId);
        const i = at % id.length;
        const changed = id.slice(0, i) + c + id.slice(i + 1);
        const d = decodeId(changed);
        if (d) assert.equal(encodeId(d.tableNumber, d.internalId), changed);
      },
    ),
    { numRuns: 5000 },
  );
});

test("new ids grow with time (so new documents land at the end of their table's B-tree)", async () => {
  const a = newDocumentId(10002);
  await new Promise((r) => setTimeout(r, 3));
  const b = newDocumentId(10002);
  assert.ok(a < b, `${a} < ${b}`);
  // The time part is the first 6 bytes of the internal id; the remaining 10 are random.
  const da = decodeId(a)!;
  const ms = Number(Buffer.from(da.internalId.subarray(0, 6)).readUIntBE(0, 6));
  assert.ok(Math.abs(ms - Date.now()) < 5000, `time part ${ms}`);
});

test("newDocumentId is random and carries its table number", () => {
  const a = newDocumentId(10002);
  const b = newDocumentId(10002);
  assert.notEqual(a, b);
  assert.equal(tableNumberOfId(a), 10002);
  assert.equal(tableNumberOfId("nope"), null);
});
