/** The one udf path parser every entry point uses (HTTP, sync, engine). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { TandemError } from "@tandem/shared";
import { canonicalPath, checkUdfPath, displayPath, parseUdfPath } from "../../src/runtime/paths.js";

test("the forms clients send parse to module and export", () => {
  assert.deepEqual(checkUdfPath("messages:list"), { module: "messages.js", name: "list" });
  assert.deepEqual(checkUdfPath("messages"), { module: "messages.js", name: "default" });
  assert.deepEqual(checkUdfPath("dir/x.js:f"), { module: "dir/x.js", name: "f" });
  assert.deepEqual(checkUdfPath("_system/cli/tables:$list_2"), { module: "_system/cli/tables.js", name: "$list_2" });
  const p = parseUdfPath("a/b:c");
  assert.equal(displayPath(p), "a/b:c");
  assert.equal(canonicalPath(p), "a/b.js:c");
});

test("bad paths are refused: traversal, empty segments, whitespace, extra colons, odd export names, length", () => {
  for (const bad of [
    "",
    ":list",
    "/abs:f",
    "a//b:f",
    "a/../b:f",
    "..",
    "a/:f",
    "mod ule:f",
    "mod:f g",
    "a:b:c",
    "mod:",
    "mod:1abc",
    "mod:a-b",
    `${"m".repeat(1020)}:list`,
  ]) {
    assert.equal(checkUdfPath(bad), null, bad);
    assert.throws(
      () => parseUdfPath(bad),
      (e) => e instanceof TandemError && e.code === "InvalidUdfPath",
      bad,
    );
  }
  assert.equal(checkUdfPath(42), null);
  assert.equal(checkUdfPath(null), null);
});
