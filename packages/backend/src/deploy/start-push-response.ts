/**
 * The `start_push` answer the 1.48.0 CLI validates with zod (`startPushResponse`): analysis of
 * the root component (functions with their validator JSON, HTTP routes, crons, schema), the
 * evaluated auth providers, every env var (echoed back in finish_push to detect races), and
 * the index diff. `pushId` is ours: the CLI echoes the whole object back in finish_push.
 */
import type { Analysis, ModuleAnalysis } from "../engine/deployment.js";
import type { SerializedAuthInfo } from "../auth/index.js";
import type { IndexDiff } from "./index-diff.js";
import type { ComponentsState } from "../components/types.js";
import { checkedChildren, splitIndexDiff } from "../components/push-response.js";

export const UDF_SERVER_VERSION = "1.48.0";

const UDF_TYPE = { query: "Query", mutation: "Mutation", action: "Action" } as const;

function analyzedModule(m: ModuleAnalysis) {
  return {
    functions: m.functions.map((f) => ({
      name: f.name,
      pos: null,
      udfType: UDF_TYPE[f.kind],
      visibility: { kind: f.visibility },
      args: f.args,
      returns: f.returns,
    })),
    httpRoutes: m.httpRoutes,
    cronSpecs: m.crons ? Object.entries(m.crons).map(([identifier, spec]) => ({ identifier, spec })) : null,
    sourceMapped: null,
  };
}

export function schemaChange(pushId: string, indexDiff: IndexDiff, components?: ComponentsState) {
  return {
    allocatedComponentIds: {},
    schemaIds: {},
    indexDiffs: splitIndexDiff(indexDiff, components),
    pushId,
  };
}

function functionsOf(modules: readonly ModuleAnalysis[]) {
  const functions: Record<string, ReturnType<typeof analyzedModule>> = {};
  for (const m of modules) functions[m.path] = analyzedModule(m);
  return functions;
}

const UDF_CONFIG = { serverVersion: UDF_SERVER_VERSION, importPhaseRngSeed: null, importPhaseUnixTimestamp: null };

export function startPushResponse(input: {
  pushId: string;
  analysis: Analysis;
  appAuth: readonly SerializedAuthInfo[];
  environmentVariables: Readonly<Record<string, string>>;
  indexDiff: IndexDiff;
}) {
  const { analysis } = input;
  const functions = functionsOf(analysis.modules);
  const components = analysis.components;
  const definitions: Record<string, unknown> = {};
  for (const d of Object.values(components?.definitions ?? {})) {
    definitions[d.definitionPath] = {
      definition: d.metadata,
      schema: d.analysis.schema,
      functions: functionsOf(d.analysis.modules),
      udfConfig: UDF_CONFIG,
    };
  }
  const httpModule = analysis.modules.find((m) => m.path === "http.js");
  return {
    environmentVariables: input.environmentVariables,
    externalDepsId: null,
    componentDefinitionPackages: {},
    appAuth: input.appAuth,
    analysis: {
      "": {
        definition: components?.app ?? {
          path: "",
          definitionType: { type: "app" },
          childComponents: [],
          httpMounts: {},
          exports: { type: "branch", branch: [] },
        },
        schema: components ? components.appSchema : analysis.schema,
        functions,
        udfConfig: UDF_CONFIG,
      },
      ...definitions,
    },
    app: {
      definitionPath: "",
      componentPath: "",
      args: {},
      childComponents: components ? checkedChildren(components, "") : {},
      httpRoutes: { httpModuleRoutes: httpModule?.httpRoutes ?? null, mounts: [] },
      exports: {},
    },
    schemaChange: schemaChange(input.pushId, input.indexDiff, components),
    pushId: input.pushId,
  };
}
