import assert from "node:assert/strict";
import { test } from "node:test";
import { RouteTable, WRONG_METHOD } from "../../src/http/index.js";

test("exact paths, prefixes and patterns each find their handler, with decoded params", () => {
  const t = new RouteTable<string>()
    .add("POST", "/api/query", "query")
    .add("GET", "/api/run/*", "run")
    .add("GET", "/api/export/zip/*", "zip")
    .add("GET", "/v1/users/:id/tokens/:template", "token");
  assert.equal((t.match("POST", "/api/query") as { handler: string }).handler, "query");
  assert.equal((t.match("GET", "/api/run/messages/list") as { handler: string }).handler, "run");
  assert.equal((t.match("GET", "/api/export/zip/abc") as { handler: string }).handler, "zip");
  assert.deepEqual(t.match("GET", "/v1/users/u%201/tokens/convex"), {
    handler: "token",
    params: { id: "u 1", template: "convex" },
  });
});

test("a path that exists with another method is WRONG_METHOD; an unknown path or a malformed escape is null", () => {
  const t = new RouteTable<string>().add("POST", "/api/query", "q").add("GET", "/v1/users/:id", "user");
  assert.equal(t.match("GET", "/api/query"), WRONG_METHOD);
  assert.equal(t.match("DELETE", "/v1/users/u1"), WRONG_METHOD);
  assert.equal(t.match("POST", "/api/nothing"), null);
  assert.equal(t.match("GET", "/v1/users/%E0%A4%A"), null);
});

test("an exact path wins over a pattern, and a pattern still answers the methods the exact path lacks", () => {
  const t = new RouteTable<string>()
    .add("GET", "/users/count", "count")
    .add("GET", "/users/:id", "get")
    .add("DELETE", "/users/:id", "delete");
  assert.equal((t.match("GET", "/users/count") as { handler: string }).handler, "count");
  assert.deepEqual(t.match("DELETE", "/users/count"), { handler: "delete", params: { id: "count" } });
});

test("the longest prefix wins; a trailing slash is tolerated only when asked for", () => {
  const strict = new RouteTable<string>()
    .add("GET", "/a/*", "short")
    .add("GET", "/a/b/*", "long")
    .add("GET", "/x", "x");
  assert.equal((strict.match("GET", "/a/b/c") as { handler: string }).handler, "long");
  assert.equal((strict.match("GET", "/a/c") as { handler: string }).handler, "short");
  assert.equal(strict.match("GET", "/x/"), null);
  const loose = new RouteTable<string>({ trailingSlash: true }).add("GET", "/x", "x").add("GET", "/y/:id", "y");
  assert.equal((loose.match("GET", "/x/") as { handler: string }).handler, "x");
  assert.deepEqual(loose.match("GET", "/y/1/"), { handler: "y", params: { id: "1" } });
});
