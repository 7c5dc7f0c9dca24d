/**
 * Routing among the app's and mounted components' routers (http-actions/route.ts), against
 * `convex/server`'s own `HttpRouter`: exact app routes first, then the longest of prefix routes
 * and mounts (a mount wins a tie), mounts nested in a component relative to its own prefix.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { httpActionGeneric, httpRouter } from "convex/server";
import { routeRequest } from "../../src/http-actions/route.js";
import { httpPrefix } from "../../src/components/env.js";
import type { ComponentsState, DefinitionMetadata } from "../../src/components/types.js";

const handler = httpActionGeneric(async () => new Response(null));

function router(exact: string[], prefixes: string[] = []) {
  const r = httpRouter();
  for (const path of exact) r.route({ path, method: "GET", handler });
  for (const pathPrefix of prefixes) r.route({ pathPrefix, method: "GET", handler });
  return r;
}

function meta(path: string, httpMounts: Record<string, string>): DefinitionMetadata {
  return {
    path,
    definitionType: path === "" ? { type: "app" } : { type: "childComponent", name: path },
    childComponents: [],
    httpMounts,
    exports: { type: "branch", branch: [] },
  };
}

// app mounts `auth` at /auth/ and `files` at /static/; auth mounts its child `inner` at /deep/.
const state = {
  app: meta("", { "/auth/": "_reference/childComponent/auth", "/static/": "_reference/childComponent/files" }),
  definitions: {
    authDef: { definitionPath: "authDef", metadata: meta("authDef", { "/deep/": "_reference/childComponent/inner" }) },
    filesDef: { definitionPath: "filesDef", metadata: meta("filesDef", {}) },
    innerDef: { definitionPath: "innerDef", metadata: meta("innerDef", {}) },
  },
  instances: {
    "": { path: "", definitionPath: "", children: { auth: "auth", files: "files" } },
    auth: { path: "auth", definitionPath: "authDef", children: { inner: "auth/inner" } },
    "auth/inner": { path: "auth/inner", definitionPath: "innerDef", children: {} },
    files: { path: "files", definitionPath: "filesDef", children: {} },
  },
  appSchema: null,
} as unknown as ComponentsState;

const routers: Record<string, ReturnType<typeof router> | null> = {
  "": router(["/hello", "/auth/special"], ["/static/"]),
  auth: router(["/callback"]),
  "auth/inner": router(["/x"]),
  files: router(["/a"]),
};
const route = (path: string) => routeRequest(state, path, "GET", (c) => routers[c] ?? null);

test("a mount strips its prefix; nested mounts are relative to their parent's", () => {
  assert.deepEqual(route("/auth/callback"), { component: "auth", path: "/callback" });
  assert.deepEqual(route("/auth/deep/x"), { component: "auth/inner", path: "/x" });
  // No route of the component: its router answers (with its 404).
  assert.deepEqual(route("/auth/nope"), { component: "auth", path: "/nope" });
});

test("exact app routes win; a mount wins a tie with an app prefix route", () => {
  assert.deepEqual(route("/hello"), { component: "", path: "/hello" });
  assert.deepEqual(route("/auth/special"), { component: "", path: "/auth/special" });
  assert.deepEqual(route("/static/a"), { component: "files", path: "/a" });
  assert.deepEqual(route("/auth"), { component: "", path: "/auth" });
});

test("without components, or without any router, nothing else changes", () => {
  assert.deepEqual(
    routeRequest(undefined, "/hello", "GET", () => routers[""]!),
    { component: "", path: "/hello" },
  );
  assert.equal(
    routeRequest(undefined, "/hello", "GET", () => null),
    null,
  );
  // The app has no http.ts but mounts a component.
  assert.deepEqual(
    routeRequest(state, "/auth/callback", "GET", (c) => (c === "" ? null : (routers[c] ?? null))),
    { component: "auth", path: "/callback" },
  );
  assert.equal(
    routeRequest(state, "/hello", "GET", (c) => (c === "" ? null : (routers[c] ?? null))),
    null,
  );
});

test("an instance's mount path, nested under its parent's; null when not mounted", () => {
  assert.equal(httpPrefix(state, "auth"), "/auth/");
  assert.equal(httpPrefix(state, "auth/inner"), "/auth/deep/");
  assert.equal(httpPrefix(state, "files"), "/static/");
  assert.equal(httpPrefix(state, ""), null);
  assert.equal(httpPrefix(state, "nope"), null);
});
