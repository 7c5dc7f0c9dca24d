/**
 * Push checks of component HTTP mounts (components/http-mounts.ts): a mount names a child with
 * routes, and no prefix route of the parent sits at the same path.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { isTandemError } from "@tandem/shared";
import { checkHttpMounts } from "../../src/components/http-mounts.js";
import type { ComponentDefinition, DefinitionMetadata, ModuleAnalysis } from "../../src/engine/deployment.js";

type Route = { path: string; method: string };
const httpModule = (routes: Route[]): ModuleAnalysis => ({
  path: "http.js",
  functions: [],
  httpRoutes: routes,
  crons: null,
});

function meta(httpMounts: Record<string, string>, children: string[] = []): DefinitionMetadata {
  return {
    path: "",
    definitionType: { type: "app" },
    childComponents: children.map((name) => ({ name, path: `def-${name}` })),
    httpMounts,
    exports: { type: "branch", branch: [] },
  };
}

function definition(name: string, routes: Route[] | null, mounts: Record<string, string> = {}): ComponentDefinition {
  return {
    definitionPath: `def-${name}`,
    metadata: meta(mounts),
    modules: [],
    analysis: { modules: routes ? [httpModule(routes)] : [], schema: null, authConfig: null },
  };
}

const withRoutes = definition("oauth", [{ path: "/callback", method: "GET" }]);
const routeless = definition("plain", null);
const definitions = { "def-oauth": withRoutes, "def-plain": routeless };

function refused(fn: () => void, message: RegExp): void {
  assert.throws(fn, (e: unknown) => isTandemError(e) && e.code === "InvalidComponentConfig" && message.test(e.message));
}

test("a mount of a child with routes is accepted, next to exact app routes under it", () => {
  checkHttpMounts({ app: meta({ "/oauth/": "_reference/childComponent/oauth" }, ["oauth"]), definitions }, [
    httpModule([
      { path: "/oauth/status", method: "GET" },
      { path: "/other/*", method: "GET" },
    ]),
  ]);
});

test("a mount of an unknown child, or of one without routes, is refused", () => {
  refused(
    () => checkHttpMounts({ app: meta({ "/x/": "_reference/childComponent/nope" }, ["oauth"]), definitions }, []),
    /HTTP mount "\/x\/" in the app is invalid: child component "nope" not found/,
  );
  refused(
    () => checkHttpMounts({ app: meta({ "/x/": "_reference/childComponent/plain" }, ["plain"]), definitions }, []),
    /child component "plain" doesn't have any HTTP routes/,
  );
});

test("a mount at the path of a prefix route of the parent is refused", () => {
  refused(
    () =>
      checkHttpMounts({ app: meta({ "/oauth/": "_reference/childComponent/oauth" }, ["oauth"]), definitions }, [
        httpModule([{ path: "/oauth/*", method: "POST" }]),
      ]),
    /overlaps a prefix route/,
  );
});
