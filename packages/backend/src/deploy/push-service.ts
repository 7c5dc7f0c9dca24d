/**
 * The push state machine behind `/api/deploy2/*` (docs/push-api.md#deploy):
 *
 *   start_push  → analyze modules, evaluate auth config, diff indexes, start a SchemaJob
 *                 (validate documents, backfill new indexes); the push waits in `#pending`
 *   wait_for_schema → long-polls the job
 *   finish_push → if the job completed and nothing raced: make modules + schema + auth +
 *                 crons + routes live at once (`engine.deploy`), drop removed indexes, persist
 *
 * A pending push that is never finished just expires; nothing of it is live.
 *
 * With several nodes on one database (docs/scale-out.md#pushes-from-any-node) the CLI's requests
 * may each reach another node: `start_push` also stores the push (its request and what it
 * decided against the live deployment) as metadata, and a node asked about a push it does not
 * hold takes it up from there — analyzing the same modules and running the same schema job.
 */
import { randomBytes } from "node:crypto";
import { isTandemError, type Logger } from "@tandem/shared";
import { backendError, badRequest } from "../errors.js";
import type { Storage } from "@tandem/storage";
import type { Analysis, Deployment, NodePackages } from "../engine/deployment.js";
import { parseNodeDependencies, resolveNodePackages } from "./node-packages.js";
import type { EngineAdmin } from "../engine/types.js";
import type { ValidationContext } from "../values/index.js";
import {
  describeProvider,
  parseAuthConfig,
  serializeProvider,
  type AuthProvider,
  type SerializedAuthInfo,
} from "../auth/index.js";
import {
  deploymentVersion,
  loadDeployment,
  loadDeploymentVersion,
  moduleHash,
  saveDeployment,
  type StoredDeployment,
} from "./deployment-store.js";
import type { EnvironmentVariables } from "../env/environment.js";
import {
  checkSchema,
  currentIndexes,
  diffIndexes,
  schemaIndexes,
  type IndexConfig,
  type IndexDiff,
} from "./index-diff.js";
import { parsePushRequest, type PushRequest } from "./push-request.js";
import { SchemaJob, splitIndexName, type SchemaJobStatus, countDocuments } from "./schema-job.js";
import { startPushResponse, UDF_SERVER_VERSION } from "./start-push-response.js";
import { storageFields } from "./index-diff.js";
import { combinedSchema, prepareComponents } from "../components/push.js";
import { checkHttpMounts } from "../components/http-mounts.js";
import { splitIndexDiff } from "../components/push-response.js";
import { versionedComponentModules } from "../components/version.js";
import { analyzeModules } from "../runtime/analyze.js";

const PENDING_LIMIT = 16;
/** The latest push started on any node sharing the database (one at a time: a newer one replaces it). */
const PENDING_META = "push/pending";

/** What `start_push` stores for the other nodes. */
interface StoredPendingPush {
  readonly id: string;
  readonly body: Record<string, unknown>;
  readonly baseVersion: string | null;
  readonly indexDiff: IndexDiff;
  readonly replaced: Prepared["replaced"];
  readonly indexesToAdd: Prepared["indexesToAdd"];
}

export interface PushServiceDeps {
  readonly storage: Storage;
  readonly engine: Pick<EngineAdmin, "analyze" | "deploy">;
  readonly env: EnvironmentVariables;
  readonly validation: ValidationContext;
  readonly logger: Logger;
  /** The app folder whose `node_modules` holds the packages pushes mark external (none: refused). */
  readonly nodePackagesDir?: string | undefined;
}

interface PendingPush {
  readonly id: string;
  readonly request: PushRequest;
  readonly nodePackages: NodePackages | undefined;
  readonly analysis: Analysis;
  readonly appAuth: readonly AuthProvider[];
  /** Version of the live deployment when the push started: another finish in between is a race. */
  readonly baseVersion: string | null;
  readonly indexDiff: IndexDiff;
  /** Database indexes whose fields changed: dropped and rebuilt at finish. */
  readonly replaced: readonly Extract<IndexConfig, { type: "database" }>[];
  readonly job: SchemaJob;
}

type Prepared = Omit<PendingPush, "job" | "id"> & {
  readonly indexesToAdd: Extract<IndexConfig, { type: "database" }>[];
};

const raceDetected = (message: string) => backendError("Conflict", "RaceDetected", message);

export class PushService {
  #live: StoredDeployment | null;
  readonly #pending = new Map<string, PendingPush>();

  private constructor(
    private readonly deps: PushServiceDeps,
    live: StoredDeployment | null,
  ) {
    this.#live = live;
  }

  /** Loads the persisted deployment and makes it live again (a restart serves the last push). */
  static async open(deps: PushServiceDeps): Promise<PushService> {
    const live = localized(await loadDeployment(deps.storage), deps.nodePackagesDir);
    if (live) await deps.engine.deploy(live.deployment);
    return new PushService(deps, live);
  }

  /** Pushes finishing on this node (their deployment is saved after it goes live here). */
  #finishing = 0;

  /**
   * Makes the stored deployment live here when another node pushed it (nodes on one database
   * follow each other's pushes). Cheap when nothing changed: one small meta read.
   */
  async refresh(): Promise<void> {
    if (this.#finishing > 0) return;
    const version = await loadDeploymentVersion(this.deps.storage);
    if (version === null || version === (this.#live?.deployment.version ?? null)) return;
    const live = localized(await loadDeployment(this.deps.storage), this.deps.nodePackagesDir);
    if (!live || this.#finishing > 0 || live.deployment.version === this.#live?.deployment.version) return;
    await this.deps.engine.deploy(live.deployment);
    this.#live = live;
    this.deps.logger.info("deployment pushed through another node is live", { version: live.deployment.version });
  }

  live(): Deployment | null {
    return this.#live?.deployment ?? null;
  }

  /** `POST /api/get_config_hashes` (docs/push-api.md#deploy). */
  configHashes() {
    const modules = this.#live?.deployment.modules ?? [];
    return {
      config: {
        functions: this.#live?.functions ?? "convex/",
        authInfo: this.#live ? this.#authOf(this.#live.deployment) : [],
      },
      moduleHashes: modules
        .filter((m) => m.path !== "schema.js")
        .map((m) => ({ path: m.path, hash: moduleHash(m), environment: m.environment })),
      nodeDependencies: this.#live?.deployment.nodePackages?.dependencies ?? [],
      udfServerVersion: this.#live ? UDF_SERVER_VERSION : null,
      nodeVersion: null,
    };
  }

  #authOf(d: Deployment): SerializedAuthInfo[] {
    return providersOf(d.analysis).map(serializeProvider);
  }

  async #prepare(body: Record<string, unknown>): Promise<Prepared> {
    const request = parsePushRequest(body, this.#live?.deployment.modules ?? []);
    const nodePackages = resolveNodePackages(
      parseNodeDependencies(body.nodeDependencies),
      this.deps.nodePackagesDir ?? null,
    );
    let analysis: Analysis;
    try {
      analysis = await this.deps.engine.analyze(request.modules, this.deps.env.effective(), nodePackages ?? null);
    } catch (e) {
      if (isTandemError(e)) throw e;
      throw badRequest(
        "ModuleAnalysisFailed",
        `Failed to analyze the pushed modules: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    if (analysis.schema) checkSchema(analysis.schema);
    analysis = withComponents(analysis, request);
    const appAuth = providersOf(analysis);
    const current = currentIndexes(this.deps.storage.indexes(), this.#live?.deployment.analysis.schema ?? null);
    const next = schemaIndexes(analysis.schema);
    const indexDiff = diffIndexes(current, next);
    const addedDb = indexDiff.added_indexes.filter(
      (i): i is Extract<IndexConfig, { type: "database" }> => i.type === "database",
    );
    const removedNames = new Set(indexDiff.removed_indexes.map((i) => i.name));
    return {
      request,
      nodePackages,
      analysis,
      appAuth,
      baseVersion: this.#live?.deployment.version ?? null,
      indexDiff,
      replaced: addedDb.filter((i) => removedNames.has(i.name)),
      indexesToAdd: addedDb.filter((i) => !removedNames.has(i.name)),
    };
  }

  /** `POST /api/deploy2/start_push`. */
  async start(body: Record<string, unknown>) {
    const prepared = await this.#prepare(body);
    const id = randomBytes(12).toString("hex");
    const job = this.#schemaJob(prepared);
    this.#pending.set(id, { ...prepared, id, job });
    while (this.#pending.size > PENDING_LIMIT) this.#pending.delete(this.#pending.keys().next().value!);
    if (this.deps.storage.otherWriters) {
      const stored: StoredPendingPush = {
        id,
        body,
        baseVersion: prepared.baseVersion,
        indexDiff: prepared.indexDiff,
        replaced: prepared.replaced,
        indexesToAdd: prepared.indexesToAdd,
      };
      await this.deps.storage.setMeta(PENDING_META, JSON.stringify(stored));
    }
    return startPushResponse({
      pushId: id,
      analysis: prepared.analysis,
      appAuth: prepared.appAuth.map(serializeProvider),
      environmentVariables: this.deps.env.all(),
      indexDiff: prepared.indexDiff,
    });
  }

  /** `POST /api/deploy2/evaluate_push`: the schema change, computed without doing anything. */
  async evaluate(body: Record<string, unknown>) {
    const prepared = await this.#prepare(body);
    return {
      schemaChange: {
        allocatedComponentIds: {},
        schemaIds: {},
        indexDiffs: splitIndexDiff(prepared.indexDiff, prepared.analysis.components),
      },
    };
  }

  /** `POST /api/deploy2/evaluate_schema` [1.48]: what the schema push would walk and build. */
  async evaluateSchema(body: Record<string, unknown>) {
    const prepared = await this.#prepare(body);
    const { storage } = this.deps;
    const existing = new Set(storage.tables().map((t) => t.name));
    const schema = prepared.analysis.schema;
    const numDocs = async (table: string) => (existing.has(table) ? countDocuments(storage, table) : 0);
    const tables = [];
    for (const t of schema?.tables ?? []) {
      const n = await numDocs(t.tableName);
      const validated = schema!.schemaValidation && (t.documentType as { type?: string } | null)?.type !== "any";
      tables.push({
        name: t.tableName,
        outcome: validated && n > 0 ? "mustWalk" : "notValidated",
        numDocs: n,
        sizeBytes: 0,
      });
    }
    const indexes = [];
    const predict = async (i: IndexConfig, change: "added" | "identical" | "dropped") => {
      const n = await numDocs(splitIndexName(i.name)[0]);
      return { ...i, change, needsBackfill: change === "added" && n > 0, numDocs: n };
    };
    for (const i of prepared.indexDiff.added_indexes) indexes.push(await predict(i, "added"));
    for (const i of prepared.indexDiff.removed_indexes) indexes.push(await predict(i, "dropped"));
    const addedNames = new Set(prepared.indexDiff.added_indexes.map((i) => i.name));
    for (const i of schemaIndexes(schema)) if (!addedNames.has(i.name)) indexes.push(await predict(i, "identical"));
    return {
      componentSchemaEvaluations: {
        "": {
          definitionPath: "",
          schemaValidation: schema?.schemaValidation ?? true,
          tables,
          indexes,
          discardedStagedValidators: [],
        },
      },
      newComponentDefinitions: [],
    };
  }

  async #pendingFor(pushId: unknown): Promise<PendingPush> {
    const p = await this.#find(pushId);
    if (!p) throw raceDetected("This push is unknown or expired (another push may have replaced it). Push again.");
    return p;
  }

  /** The pending push `pushId`: held here, or started on another node and taken up here. */
  async #find(pushId: unknown): Promise<PendingPush | undefined> {
    if (typeof pushId !== "string") return undefined;
    const held = this.#pending.get(pushId);
    if (held || !this.deps.storage.otherWriters) return held;
    const text = await this.deps.storage.getMeta(PENDING_META);
    const stored = text === null ? null : (JSON.parse(text) as StoredPendingPush);
    if (stored?.id !== pushId) return undefined;
    // The push was decided against the deployment live when it started: this node must serve it too.
    await this.refresh();
    const fresh = await this.#prepare(stored.body);
    const prepared: Prepared = {
      ...fresh,
      baseVersion: stored.baseVersion,
      indexDiff: stored.indexDiff,
      replaced: stored.replaced,
      indexesToAdd: stored.indexesToAdd,
    };
    const again = this.#pending.get(pushId); // taken up by a request that arrived meanwhile
    if (again) return again;
    const pending: PendingPush = { ...prepared, id: pushId, job: this.#schemaJob(prepared) };
    this.#pending.set(pushId, pending);
    return pending;
  }

  #schemaJob(prepared: Prepared): SchemaJob {
    return new SchemaJob({
      storage: this.deps.storage,
      schema: prepared.analysis.schema,
      indexesToAdd: prepared.indexesToAdd,
      validation: this.deps.validation,
      dryRun: prepared.request.dryRun,
    });
  }

  /** `POST /api/deploy2/wait_for_schema`: long-polls the schema job (docs/push-api.md#deploy). */
  async waitForSchema(body: Record<string, unknown>, signal: AbortSignal) {
    const change = body.schemaChange as { pushId?: unknown } | undefined;
    const pending = await this.#find(change?.pushId);
    if (!pending) return { type: "raceDetected" };
    if (pending.baseVersion !== (this.#live?.deployment.version ?? null)) return { type: "raceDetected" };
    const timeoutMs = Math.min(Math.max(Number(body.timeoutMs) || 10_000, 0), 60_000);
    return statusJson(await pending.job.wait(timeoutMs, signal));
  }

  /** `POST /api/deploy2/finish_push`: the one step where the push goes live. */
  async finish(body: Record<string, unknown>) {
    const startPush = body.startPush as Record<string, unknown> | undefined;
    const pending = await this.#pendingFor(startPush?.pushId);
    const status = await pending.job.settled();
    if (status.type === "failed") throw badRequest("SchemaValidationFailed", status.error);
    if (pending.baseVersion !== (this.#live?.deployment.version ?? null)) {
      throw raceDetected("Another push finished while this one was in progress. Push again.");
    }
    const sentEnv = startPush?.environmentVariables;
    if (
      sentEnv &&
      JSON.stringify(sortKeys(sentEnv as Record<string, string>)) !== JSON.stringify(sortKeys(this.deps.env.all()))
    ) {
      throw raceDetected("Environment variables changed during the push. Push again.");
    }
    const before = this.#live?.deployment ?? null;
    const deployment: Deployment = {
      version: deploymentVersion([
        ...pending.request.modules,
        ...versionedComponentModules(pending.analysis.components),
      ]),
      modules: pending.request.modules,
      analysis: pending.analysis,
      ...(pending.nodePackages ? { nodePackages: pending.nodePackages } : {}),
    };
    const diff = finishDiff(before, deployment, pending, before ? providersOf(before.analysis) : []);
    if (body.dryRun === true || pending.request.dryRun) return diff;

    this.#pending.delete(pending.id);
    if (this.deps.storage.otherWriters) await this.#forgetStored(pending.id);
    this.#finishing += 1;
    try {
      await this.deps.engine.deploy(deployment);
      const stored = { deployment, functions: pending.request.functions };
      await saveDeployment(this.deps.storage, stored);
      this.#live = stored;
    } finally {
      this.#finishing -= 1;
    }
    await this.#applyIndexRemovals(pending);
    this.deps.logger.info("deployment is live", { version: deployment.version, modules: deployment.modules.length });
    return diff;
  }

  /** Drops the stored pending push if it is still `id` (a newer push may have replaced it). */
  async #forgetStored(id: string): Promise<void> {
    const text = await this.deps.storage.getMeta(PENDING_META);
    if (text !== null && (JSON.parse(text) as StoredPendingPush).id === id)
      await this.deps.storage.setMeta(PENDING_META, null);
  }

  /** Removed indexes go only after the code that stopped using them is live; replaced ones are rebuilt. */
  async #applyIndexRemovals(pending: PendingPush): Promise<void> {
    const { storage } = this.deps;
    for (const i of pending.indexDiff.removed_indexes) {
      if (i.type !== "database") continue;
      const [table, name] = splitIndexName(i.name);
      await storage.dropIndex(table, name);
    }
    for (const i of pending.replaced) {
      const [table, name] = splitIndexName(i.name);
      await storage.addIndex(table, name, storageFields(i.fields));
    }
  }
}

/** Adds the installed components to the app's analysis, their tables to its schema. */
function withComponents(analysis: Analysis, request: PushRequest): Analysis {
  const components = prepareComponents(request.appConfig, request.componentDefinitions, (modules, label) => {
    let a: Analysis;
    try {
      a = analyzeModules(modules, {}, null);
    } catch (e) {
      if (isTandemError(e)) throw e;
      const message =
        typeof (e as { message?: unknown } | null)?.message === "string"
          ? (e as { message: string }).message
          : String(e);
      throw badRequest("ModuleAnalysisFailed", `Failed to analyze ${label}: ${message}`);
    }
    if (a.schema) checkSchema(a.schema);
    return a;
  });
  if (!components) return analysis;
  checkHttpMounts(components, analysis.modules);
  return {
    ...analysis,
    schema: combinedSchema(analysis.schema, components),
    components: { ...components, appSchema: analysis.schema },
  };
}

/** External packages load from this run's packages folder, wherever the pushing node took them from. */
function localized(stored: StoredDeployment | null, nodePackagesDir: string | undefined): StoredDeployment | null {
  const packages = stored?.deployment.nodePackages;
  return stored && packages && nodePackagesDir
    ? { ...stored, deployment: { ...stored.deployment, nodePackages: { ...packages, dir: nodePackagesDir } } }
    : stored;
}

/** The evaluated `auth.config.js` providers (invalid ones fail the push with the auth module's error). */
export function providersOf(analysis: Analysis): AuthProvider[] {
  return analysis.authConfig ? parseAuthConfig(analysis.authConfig) : [];
}

function sortKeys(o: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function statusJson(s: SchemaJobStatus) {
  switch (s.type) {
    case "inProgress":
      return {
        type: "inProgress",
        components: {
          "": {
            schemaValidationComplete: s.schemaValidationComplete,
            indexesComplete: s.indexesComplete,
            indexesTotal: s.indexesTotal,
          },
        },
      };
    case "failed":
      return { type: "failed", error: s.error, componentPath: "", tableName: s.tableName };
    case "complete":
      return { type: "complete" };
    default:
      return s satisfies never;
  }
}

/** The `finish_push` answer (`npm:cli/lib/deployApi/finishPush.ts finishPushDiff`). */
function finishDiff(
  before: Deployment | null,
  after: Deployment,
  pending: PendingPush,
  authBefore: readonly AuthProvider[],
) {
  const paths = (d: Deployment | null) => new Set((d?.modules ?? []).map((m) => m.path));
  const oldPaths = paths(before);
  const newPaths = paths(after);
  const crons = (d: Deployment | null) => {
    const out: Record<string, string> = {};
    for (const m of d?.analysis.modules ?? [])
      for (const [k, v] of Object.entries(m.crons ?? {})) out[k] = JSON.stringify(v);
    return out;
  };
  const oldCrons = crons(before);
  const newCrons = crons(after);
  const authOld = authBefore.map(describeProvider);
  const authNew = pending.appAuth.map(describeProvider);
  const schemaText = (d: Deployment | null) => (d?.analysis.schema ? JSON.stringify(d.analysis.schema) : null);
  const prevSchema = schemaText(before);
  const nextSchema = schemaText(after);
  return {
    authDiff: {
      added: authNew.filter((a) => !authOld.includes(a)),
      removed: authOld.filter((a) => !authNew.includes(a)),
    },
    definitionDiffs: {},
    componentDiffs: {
      "": {
        diffType: { type: before ? "modify" : "create" },
        moduleDiff: {
          added: [...newPaths].filter((p) => !oldPaths.has(p)),
          removed: [...oldPaths].filter((p) => !newPaths.has(p)),
        },
        udfConfigDiff: null,
        cronDiff: {
          added: Object.keys(newCrons).filter((k) => !(k in oldCrons)),
          updated: Object.keys(newCrons).filter((k) => k in oldCrons && oldCrons[k] !== newCrons[k]),
          deleted: Object.keys(oldCrons).filter((k) => !(k in newCrons)),
        },
        indexDiff: pending.indexDiff,
        schemaDiff: prevSchema === nextSchema ? null : { previous_schema: prevSchema, next_schema: nextSchema },
      },
    },
  };
}
