/** Upload tokens: accepted until they expire, never when forged; byte ranges as RFC 9110 reads them. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { UploadTokens, UPLOAD_TOKEN_VALIDITY_MS } from "../../src/files/index.js";
import { parseRange } from "../../src/files/byte-range.js";

const code = (f: () => void) => {
  try {
    f();
    return "accepted";
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

test("a token is valid for an hour after issue, then StorageTokenExpired", () => {
  let now = 1_700_000_000_000;
  const tokens = new UploadTokens(randomBytes(32), () => now);
  const t = tokens.issue();
  assert.equal(
    code(() => tokens.verify(t)),
    "accepted",
  );
  now += UPLOAD_TOKEN_VALIDITY_MS;
  assert.equal(
    code(() => tokens.verify(t)),
    "accepted",
  );
  now += 1;
  assert.equal(
    code(() => tokens.verify(t)),
    "StorageTokenExpired",
  );
});

test("a token signed with another key, or altered, is InvalidStorageToken", () => {
  const a = new UploadTokens(randomBytes(32));
  const b = new UploadTokens(randomBytes(32));
  const t = a.issue();
  assert.equal(
    code(() => b.verify(t)),
    "InvalidStorageToken",
  );
  const [issued, nonce, mac] = t.split(".");
  const later = (parseInt(issued!, 36) + 3_600_000).toString(36);
  assert.equal(
    code(() => a.verify(`${later}.${nonce}.${mac}`)),
    "InvalidStorageToken",
  );
  for (const bad of [undefined, null, 42, "", "a.b.c", t + "x", t.replace(/\./g, "")])
    assert.equal(
      code(() => a.verify(bad)),
      "InvalidStorageToken",
    );
});

test("byte ranges", () => {
  assert.deepEqual(parseRange(undefined, 10), { kind: "whole" });
  assert.deepEqual(parseRange("bytes=0-0", 10), { kind: "partial", range: { start: 0, end: 0 } });
  assert.deepEqual(parseRange("bytes=5-100", 10), { kind: "partial", range: { start: 5, end: 9 } });
  assert.deepEqual(parseRange("bytes=-3", 10), { kind: "partial", range: { start: 7, end: 9 } });
  assert.deepEqual(parseRange("bytes=-30", 10), { kind: "partial", range: { start: 0, end: 9 } });
  assert.deepEqual(parseRange("bytes=10-", 10), { kind: "unsatisfiable" });
  assert.deepEqual(parseRange("bytes=-0", 10), { kind: "unsatisfiable" });
  assert.deepEqual(parseRange("bytes=0-", 0), { kind: "unsatisfiable" });
  assert.deepEqual(parseRange("bytes=0-1,4-5", 10), { kind: "whole" });
  assert.deepEqual(parseRange("items=0-1", 10), { kind: "whole" });
  assert.deepEqual(parseRange("bytes=5-2", 10), { kind: "whole" });
});
