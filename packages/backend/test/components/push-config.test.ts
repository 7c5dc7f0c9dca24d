/**
 * The component tree of a push, from hand-written `convex.config.js` bundles shaped like the
 * CLI's (imports of `./_componentDeps/<base64url path>`): nesting, default names, and the push
 * errors for a cycle, a missing definition, a duplicate name and a config that throws.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { isTandemError } from "@tandem/shared";
import { prepareComponents, type RawDefinition } from "../../src/components/push.js";
import type { Analysis, ModuleSource } from "../../src/engine/deployment.js";

const dep = (path: string) => `./_componentDeps/${Buffer.from(path).toString("base64url")}`;
const mod = (source: string): ModuleSource => ({ path: "convex.config.js", source, environment: "isolate" });

/** A config whose export() lists `uses` the way `use()` serializes children. */
function config(kind: "app" | { name: string }, uses: ReadonlyArray<{ path: string; as?: string }>): ModuleSource {
  const imports = uses.map((u, i) => `import d${i} from ${JSON.stringify(dep(u.path))};`).join("\n");
  const children = uses
    .map(
      (u, i) =>
        `{ name: ${u.as ? JSON.stringify(u.as) : `d${i}.defaultName`}, path: d${i}.componentDefinitionPath, args: [], env: null }`,
    )
    .join(", ");
  const type =
    kind === "app" ? `{ type: "app" }` : `{ type: "childComponent", name: ${JSON.stringify(kind.name)}, args: [] }`;
  return mod(
    `${imports}\nexport default { export() { return { definitionType: ${type}, childComponents: [${children}], httpMounts: {}, exports: { type: "branch", branch: [] } }; } };`,
  );
}

const noAnalysis = (): Analysis => ({ modules: [], schema: null, authConfig: null });
const def = (definitionPath: string, name: string, uses: string[] = []): RawDefinition => ({
  definitionPath,
  config: config(
    { name },
    uses.map((path) => ({ path })),
  ),
  dependencies: uses,
  modules: [],
});

function pushError(f: () => unknown, code: string, message: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(isTandemError(e), String(e));
    assert.equal((e as { code: string }).code, code);
    assert.match((e as Error).message, message);
    return true;
  });
}

test("instances are laid out by path, nested components under their parent, named by default after the definition", () => {
  const state = prepareComponents(
    config("app", [{ path: "../node_modules/agg/component", as: "board" }, { path: "local" }]),
    [
      def("../node_modules/agg/component", "aggregate", ["../node_modules/worker/component"]),
      def("../node_modules/worker/component", "batchWorker"),
      def("local", "local"),
    ],
    noAnalysis,
  );
  assert.ok(state);
  assert.deepEqual(Object.keys(state.instances).sort(), ["", "board", "board/batchWorker", "local"]);
  assert.deepEqual(state.instances[""]!.children, { board: "board", local: "local" });
  assert.equal(state.instances["board/batchWorker"]!.definitionPath, "../node_modules/worker/component");
});

test("a cycle between components is refused", () => {
  pushError(
    () => prepareComponents(config("app", [{ path: "a" }]), [def("a", "a", ["b"]), def("b", "b", ["a"])], noAnalysis),
    "ComponentCycle",
    /cycle: a -> b -> a|cycle: b -> a -> b/,
  );
});

test("a component that uses a definition the push does not contain is refused", () => {
  pushError(
    () => prepareComponents(config("app", [{ path: "a" }]), [def("a", "a", ["missing"])], noAnalysis),
    "InvalidComponentConfig",
    /uses missing, which was not pushed/,
  );
});

test("two children with one name, and a config that throws, are refused with the reason", () => {
  pushError(
    () => prepareComponents(config("app", [{ path: "a" }, { path: "a" }]), [def("a", "a")], noAnalysis),
    "InvalidComponentConfig",
    /installs two components named a/,
  );
  pushError(
    () => prepareComponents(mod(`throw new Error("nope");`), [def("a", "a")], noAnalysis),
    "InvalidComponentConfig",
    /Failed to evaluate convex\.config\.js of the app: nope/,
  );
  pushError(
    () =>
      prepareComponents(config("app", [{ path: "a" }]), [{ ...def("a", "a"), config: config("app", []) }], noAnalysis),
    "InvalidComponentConfig",
    /must export defineComponent/,
  );
});

test("no definitions: nothing to install, the stand-in app config is not even run", () => {
  assert.equal(prepareComponents(mod(`throw new Error("not run");`), [], noAnalysis), null);
});
