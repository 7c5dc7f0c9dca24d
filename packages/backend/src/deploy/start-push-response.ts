/**
 * The `start_push` answer the 1.48.0 CLI validates with zod (`startPushResponse`): analysis of
 * the root component (functions with their validator JSON, HTTP routes, crons, schema), the
 * evaluated auth providers, every env var (echoed back in finish_push to detect races), and
 * the index diff. `pushId` is ours: the CLI echoes the whole object back in finish_push.
 */
import type { Analysis, ModuleAnalysis } from "../engine/deployment.js";
import type { SerializedAuthInfo } from "../auth/index.js";
import type { IndexDiff } from "./index-diff.js";

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

export function schemaChange(pushId: string, indexDiff: IndexDiff) {
  return {
    allocatedComponentIds: {},
    schemaIds: {},
    indexDiffs: { "": indexDiff },
    pushId,
  };
}

export function startPushResponse(input: {
  pushId: string;
  analysis: Analysis;
  appAuth: readonly SerializedAuthInfo[];
  environmentVariables: Readonly<Record<string, string>>;
  indexDiff: IndexDiff;
}) {
  const { analysis } = input;
  const functions: Record<string, ReturnType<typeof analyzedModule>> = {};
  for (const m of analysis.modules) functions[m.path] = analyzedModule(m);
  const httpModule = analysis.modules.find((m) => m.path === "http.js");
  return {
    environmentVariables: input.environmentVariables,
    externalDepsId: null,
    componentDefinitionPackages: {},
    appAuth: input.appAuth,
    analysis: {
      "": {
        definition: {
          path: "",
          definitionType: { type: "app" },
          childComponents: [],
          httpMounts: {},
          exports: { type: "branch", branch: [] },
        },
        schema: analysis.schema,
        functions,
        udfConfig: { serverVersion: UDF_SERVER_VERSION, importPhaseRngSeed: null, importPhaseUnixTimestamp: null },
      },
    },
    app: {
      definitionPath: "",
      componentPath: "",
      args: {},
      childComponents: {},
      httpRoutes: { httpModuleRoutes: httpModule?.httpRoutes ?? null, mounts: [] },
      exports: {},
    },
    schemaChange: schemaChange(input.pushId, input.indexDiff),
    pushId: input.pushId,
  };
}
