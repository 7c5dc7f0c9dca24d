/** Import file parsing: CSV quoting and typing, JSON/JSONL errors that name their place, zips. */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { zipSync } from "fflate";
import { csvObjects, parseCsvRows } from "../../src/data/csv.js";
import { parseImport } from "../../src/data/import-parse.js";

const enc = (s: string) => new TextEncoder().encode(s);
const quote = (f: string) => `"${f.replace(/"/g, '""')}"`;

test("CSV rows round-trip through RFC 4180 quoting", () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.string(), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 }),
      (rows) => {
        const text = rows.map((r) => r.map(quote).join(",")).join("\r\n");
        assert.deepEqual(
          parseCsvRows(text).map((r) => r.fields),
          rows,
        );
      },
    ),
  );
});

test("CSV cells: numbers become float64, other text (booleans too) stays a string", () => {
  const got = csvObjects("a,b,c,d\n1,-2.5e2,true,\n.5,1.2.3,0x10, 7 \n");
  assert.deepEqual(
    got.map((r) => r.value),
    [
      { a: 1, b: -250, c: "true", d: "" },
      { a: 0.5, b: "1.2.3", c: "0x10", d: 7 },
    ],
  );
  assert.deepEqual(
    got.map((r) => r.line),
    [2, 3],
  );
});

test("CSV errors name the line", () => {
  assert.throws(() => csvObjects("a,b\n1,2\n3\n"), /CSV line 3: expected 2 fields/);
  assert.throws(() => csvObjects('a\n"open\n'), /CSV line 2: a quoted field is never closed/);
  assert.throws(() => csvObjects("a,a\n1,2\n"), /"a" appears twice/);
});

test("JSONL and JSON array errors say where", () => {
  assert.throws(
    () => parseImport("jsonLines", enc('{"a":1}\n\n[1]\n'), "t"),
    /line 3: expected a JSON object, found an array/,
  );
  assert.throws(() => parseImport("jsonLines", enc('{"a":1}\n{"a":\n'), "t"), /line 2 is not valid JSON/);
  assert.throws(() => parseImport("jsonArray", enc('[{"a":1}, 2]'), "t"), /element 1: expected a JSON object, found 2/);
  assert.throws(() => parseImport("jsonArray", enc('{"a":1}'), "t"), /must be an array of objects/);
  assert.throws(() => parseImport("jsonLines", enc('{"$bad":1}\n'), "t"), /line 1: not a valid Convex value/);
  const ok = parseImport("jsonLines", enc('\ufeff{"a":1}\r\n{"n":{"$integer":"AQAAAAAAAAA="}}\r\n'), "t");
  assert.deepEqual(
    ok[0]!.rows.map((r) => r.value),
    [{ a: 1 }, { n: { $integer: "AQAAAAAAAAA=" } }],
  );
});

test("a zip yields one unit per <table>/documents.jsonl (and _storage's rows), skipping other system folders", () => {
  const zip = zipSync({
    "_tables/documents.jsonl": enc('{"name":"b","id":10001}\n'),
    "_storage/documents.jsonl": enc('{"x":1}\n'),
    "README.md": enc("hi"),
    "b/documents.jsonl": enc('{"v":2}\n'),
    "a/documents.jsonl": enc('{"v":1}\n{"v":3}\n'),
    "a/generated_schema.jsonl": enc("{}\n"),
  });
  const units = parseImport("zip", zip, null);
  assert.deepEqual(
    units.map((u) => [u.table, u.rows.length]),
    [
      ["_storage", 1],
      ["a", 2],
      ["b", 1],
    ],
  );
  const bad = zipSync({ "a/documents.jsonl": enc('{"v":1}\nnope\n') });
  assert.throws(() => parseImport("zip", bad, null), /a\/documents\.jsonl line 2 is not valid JSON/);
  assert.throws(() => parseImport("zip", enc("not a zip"), null), /not a readable zip archive/);
  assert.throws(
    () => parseImport("zip", zipSync({ "x.txt": enc("") }), null),
    /no `<table>\/documents\.jsonl` entries/,
  );
});
