/**
 * The body of `start_push` / `evaluate_push` / `evaluate_schema` (`npm:cli/lib/deployApi/
 * startPush.ts startPushRequest`), checked and turned into the module set to analyze:
 * changed modules, plus stored modules the CLI named by hash, plus the schema.
 */
import { badRequest } from "../errors.js";
import type { ModuleSource } from "../engine/deployment.js";
import { moduleHash } from "./deployment-store.js";
import { parseDefinitions, type RawDefinition } from "../components/push.js";

export interface PushRequest {
  readonly dryRun: boolean;
  readonly functions: string;
  readonly modules: readonly ModuleSource[];
  /** The app's `convex.config.js` (the CLI sends a stand-in when the project has none). */
  readonly appConfig: ModuleSource | null;
  readonly componentDefinitions: readonly RawDefinition[];
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}

export function parseModule(raw: unknown): ModuleSource {
  if (!isRecord(raw) || typeof raw.path !== "string" || typeof raw.source !== "string") {
    throw badRequest("InvalidModule", "Each module needs a string `path` and `source`.");
  }
  const environment =
    raw.environment === "node"
      ? "node"
      : raw.environment === "isolate" || raw.environment === undefined
        ? "isolate"
        : null;
  if (environment === null) throw badRequest("InvalidModule", `Module ${raw.path} has an unknown environment.`);
  if (raw.path.startsWith("/") || raw.path.split("/").includes("..") || !raw.path.endsWith(".js")) {
    throw badRequest("InvalidModule", `Invalid module path ${JSON.stringify(raw.path)}.`);
  }
  return {
    path: raw.path,
    source: raw.source,
    sourceMap: typeof raw.sourceMap === "string" ? raw.sourceMap : undefined,
    environment,
  };
}

export function parsePushRequest(body: Record<string, unknown>, stored: readonly ModuleSource[]): PushRequest {
  const app = body.appDefinition;
  if (!isRecord(app)) throw badRequest("InvalidPush", "The push needs an `appDefinition`.");
  const changed = Array.isArray(app.changedModules) ? app.changedModules.map(parseModule) : [];
  const unchanged = Array.isArray(app.unchangedModuleHashes) ? app.unchangedModuleHashes : [];
  const modules: ModuleSource[] = [...changed];
  for (const h of unchanged) {
    if (!isRecord(h) || typeof h.path !== "string")
      throw badRequest("InvalidModule", "Malformed `unchangedModuleHashes` entry.");
    const found = stored.find(
      (m) => m.path === h.path && m.environment === (h.environment ?? "isolate") && moduleHash(m) === h.sha256,
    );
    if (!found) {
      throw badRequest(
        "ModuleNotFound",
        `Module ${h.path} was reported unchanged but this deployment does not have it. Push again.`,
      );
    }
    modules.push(found);
  }
  if (app.schema !== null && app.schema !== undefined) {
    const schema = { ...parseModule(app.schema), path: "schema.js" };
    const at = modules.findIndex((m) => m.path === "schema.js");
    if (at >= 0) modules[at] = schema;
    else modules.push(schema);
  }
  const paths = new Set<string>();
  for (const m of modules) {
    if (paths.has(m.path)) throw badRequest("InvalidModule", `Module ${m.path} was pushed twice.`);
    paths.add(m.path);
  }
  return {
    dryRun: body.dryRun === true,
    functions: typeof body.functions === "string" ? body.functions : "convex/",
    modules: modules.filter((m) => !m.path.startsWith("_generated/")),
    appConfig: isRecord(app.definition) ? parseModule(app.definition) : null,
    componentDefinitions: parseDefinitions(body.componentDefinitions, parseModule),
  };
}
