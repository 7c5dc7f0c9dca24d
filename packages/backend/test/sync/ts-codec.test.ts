/** The one wire-timestamp codec (sync and HTTP): canonical base64 of a little-endian u64, as the official client writes it. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { decodeTs, encodeTs } from "../../src/sync/ts-codec.js";

test("timestamps round-trip, and match what the official client encodes", async () => {
  const root = dirname(createRequire(import.meta.url).resolve("convex/package.json"));
  const { longToU64, u64ToLong } = await import(pathToFileURL(join(root, "dist/esm/browser/sync/protocol.js")).href);
  const { Long } = await import(pathToFileURL(join(root, "dist/esm/vendor/long.js")).href);
  for (const n of [0n, 1n, 1_733_000_000_000_000_123n, 2n ** 64n - 1n]) {
    const text = encodeTs(n);
    assert.equal(decodeTs(text), n);
    const long = new Long(Number(BigInt.asIntN(32, n)), Number(BigInt.asIntN(32, n >> 32n)));
    assert.equal(text, longToU64(long), "the same text the client sends");
    const back = u64ToLong(text);
    assert.equal((BigInt(back.high >>> 0) << 32n) | BigInt(back.low >>> 0), n, "the client reads our text back");
  }
});

test("anything but canonical base64 of 8 bytes is refused", () => {
  for (const bad of [
    "",
    "AAAAAAAAAAA",
    "AAAAAAAAAAA==",
    "AAAAAAAAAAB=",
    "AAAAAAAAAA-=",
    "AAAAAAAAAAAA",
    "AAAAAAAAAAAAAAAA",
    " AAAAAAAAAA=",
  ]) {
    assert.equal(decodeTs(bad), null, JSON.stringify(bad));
  }
});
