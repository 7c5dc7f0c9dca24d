/**
 * The `_system/cli/*` functions the official CLI calls (docs/push-api.md#cli-system-functions), implemented natively:
 * env var listing for `npx convex env list|get`, the API spec `npx convex run` prints when a
 * function is missing, table sizes for the large-index-deletion check, and the cloud URL.
 */
import { badRequest } from "../errors.js";
import type { ConvexJSON, Storage } from "@tandem/storage";
import type { Deployment } from "../engine/deployment.js";
import type { SystemFunctionRegistry } from "../engine/types.js";
import type { EnvironmentVariables } from "../env/environment.js";
import { countDocuments } from "./schema-job.js";

export interface SystemFunctionDeps {
  readonly env: EnvironmentVariables;
  readonly storage: Storage;
  readonly live: () => Deployment | null;
  readonly cloudUrl: string;
}

const UDF_TYPE = { query: "Query", mutation: "Mutation", action: "Action" } as const;

function parseValidator(text: string | null): ConvexJSON {
  return text === null ? null : (JSON.parse(text) as ConvexJSON);
}

export function apiSpec(deployment: Deployment | null): ConvexJSON {
  const out: ConvexJSON[] = [];
  for (const m of deployment?.analysis.modules ?? []) {
    for (const f of m.functions) {
      out.push({
        identifier: `${m.path}:${f.name}`,
        functionType: UDF_TYPE[f.kind],
        visibility: { kind: f.visibility },
        args: parseValidator(f.args),
        returns: parseValidator(f.returns),
      });
    }
    for (const r of m.httpRoutes ?? []) out.push({ functionType: "HttpAction", method: r.method, path: r.path });
  }
  return out;
}

export function registerCliSystemFunctions(registry: SystemFunctionRegistry, deps: SystemFunctionDeps): void {
  const envList = async (): Promise<ConvexJSON> =>
    Object.entries(deps.env.all())
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, value]) => ({ name, value }));
  registry.registerSystemFunction("_system/cli/queryEnvironmentVariables", { kind: "query", handler: envList });
  registry.registerSystemFunction("_system/cli/queryEnvironmentVariables:default", { kind: "query", handler: envList });
  registry.registerSystemFunction("_system/cli/queryEnvironmentVariables:get", {
    kind: "query",
    handler: async (args) => {
      const name = (args as { name?: unknown } | null)?.name;
      if (typeof name !== "string") throw badRequest("InvalidArgs", "`name` must be a string.");
      const value = deps.env.all()[name];
      return value === undefined ? null : { name, value };
    },
  });
  registry.registerSystemFunction("_system/cli/modules:apiSpec", {
    kind: "query",
    handler: async () => apiSpec(deps.live()),
  });
  registry.registerSystemFunction("_system/cli/tableSize:default", {
    kind: "query",
    handler: async (args) => {
      const table = (args as { tableName?: unknown } | null)?.tableName;
      if (typeof table !== "string") throw badRequest("InvalidArgs", "`tableName` must be a string.");
      return deps.storage.tables().some((t) => t.name === table) ? countDocuments(deps.storage, table) : 0;
    },
  });
  registry.registerSystemFunction("_system/cli/convexUrl:cloudUrl", {
    kind: "query",
    handler: async () => deps.cloudUrl,
  });
}
