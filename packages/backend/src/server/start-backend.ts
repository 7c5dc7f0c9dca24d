/**
 * One deployment in one process: storage (SQLite, or the database `database` names) + engine + HTTP API + sync WebSocket + push API
 * on the main port, HTTP actions on the site port (docs/architecture.md#composition).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { availableParallelism } from "node:os";
import { createLogger, type Logger } from "@tandem/shared";
import { decodeId, openStorage, type Storage, type StorageDescriptor } from "@tandem/storage";
import {
  checkAdminKey as sameAdminKey,
  deploymentJwks,
  loadOrCreateDeploymentKey,
  type FetchLike,
} from "../auth/index.js";
import { createEngine, type TandemEngine } from "../engine/index.js";
import type { QueryCacheOptions } from "../engine/query-cache.js";
import {
  createRouter,
  functionRoutes,
  metaRoutes,
  type RequestAuthenticator,
  type VerifiedUser,
} from "../http/index.js";
import { PushService, deployRoutes, loadEnvironment, registerCliSystemFunctions } from "../deploy/index.js";
import {
  ExportService,
  ExternalCommits,
  ImportService,
  dataRoutes,
  registerDataSystemFunctions,
} from "../data/index.js";
import { EnvironmentVariables, envRoutes } from "../env/index.js";
import { LogStream, logRoutes } from "../logs/index.js";
import { makeDocumentCheck } from "../runtime/document-check.js";
import type { ValidationContext } from "../values/index.js";
import { loadOrCreateAdminKey } from "./admin-key.js";
import { setHeapGrowth } from "./heap-growth.js";
import { closeServer, listen, originOf } from "./listen.js";
import { createSiteHandler } from "../http-actions/site-handler.js";
import { DeploymentAuth } from "./user-auth.js";
import { BACKEND_VERSION } from "./version.js";
import { Lifecycle, answerProbe, refuseUnavailable, type LifecycleState } from "./lifecycle.js";
import { answerMetrics, createBackendMetrics, scheduledBacklogOf } from "./metrics.js";
import { trackedEngine } from "./tracked-engine.js";
import { attachSyncServer, type SyncServer } from "../sync/index.js";
import { installAuthDoctor, registerFrontendSystemFunctions } from "../system/index.js";
import { CommitFollower } from "../engine/commit-follower.js";
import {
  Scheduler,
  listCronJobs,
  registerSchedulerSystemFunctions,
  systemClock,
  type Clock,
} from "../scheduler/index.js";
import {
  DEFAULT_UPLOAD_LIMIT_BYTES,
  FileStorage,
  blobKeyOf,
  loadOrCreateStorageSecret,
  storageHttp,
  type BlobStoreConfig,
  type S3Config,
} from "../files/index.js";

export interface BackendOptions {
  /** Folder for the database and the generated admin key (created if missing). */
  readonly dataDir: string;
  readonly host?: string;
  /** API + sync port (default 3210; 0 picks a free one). */
  readonly port?: number;
  /** HTTP actions port (default 3211; 0 picks a free one). */
  readonly sitePort?: number;
  /** Any opaque string; generated and kept in `dataDir` when absent. */
  readonly adminKey?: string;
  readonly instanceName?: string;
  readonly logger?: Logger;
  /** Replaces verification against the deployment's `auth.config.ts` (tests, embedders). */
  readonly authenticateUser?: (token: string) => Promise<VerifiedUser>;
  /** How long `stream_function_logs` holds an empty poll (default 30 s). */
  readonly logPollMs?: number;
  /** On a database other nodes share: how often to look for their commits besides being told (ms). */
  readonly followPollMs?: number;
  /**
   * The node lease period (default 10 s; docs/scale-out.md#leases): renewed every third of it; a
   * node that stops renewing is taken for dead this long after its last renewal.
   */
  readonly nodeLeaseMs?: number;
  /**
   * The store to open instead of SQLite under `dataDir` (e.g. `{ kind: "postgres", url }`); the
   * function threads open their own connections to it.
   */
  readonly database?: StorageDescriptor;
  /** An opened store to use instead (tests, embedders). The backend closes it. */
  readonly storage?: Storage;
  /**
   * Worker threads running queries and mutations, each with its own read-only connection to the
   * store, so a function that never yields is stopped without stalling other clients. Default: one
   * per core (`os.availableParallelism()`; `tandem serve --function-threads` / `TANDEM_FUNCTION_THREADS`
   * override it); 0 runs functions inline (always inline with a given `storage`: threads can't share it).
   */
  readonly workers?: number;
  /**
   * The app folder whose `node_modules` holds the npm packages a push marks external for
   * `"use node"` modules (`convex.json` `node.externalPackages`). Without it such a push is refused;
   * packages the CLI bundles (the default) need nothing.
   */
  readonly nodePackagesDir?: string;
  /**
   * The scheduler's clock (scheduled functions and crons), also the one user tokens' expiry is
   * checked against; tests pass a `ManualClock`.
   */
  readonly clock?: Clock;
  /** Largest file an upload URL (or `ctx.storage.store`) accepts; default 1 GiB. */
  readonly fileUploadLimitBytes?: number;
  /** Where file bytes live: a folder under `dataDir` (default) or an S3-compatible bucket. */
  readonly fileStorage?: { readonly kind: "disk" } | (Omit<S3Config, "spoolDir"> & { readonly spoolDir?: string });
  /**
   * How the backend fetches issuers' discovery documents and key sets (default `fetch`). `tandem dev --https`
   * reaches its own identity service over loopback while the issuer names a host only devices reach.
   */
  readonly issuerFetch?: FetchLike;
  /**
   * V8's old-generation growth for this process (heap-growth.ts): default 300 (4× the live heap
   * after a full GC), so upload bodies don't start a full GC every few megabytes; 0 leaves V8's own.
   */
  readonly heapGrowingPercent?: number;
  /**
   * Reuse of query results while what they read is unchanged (bounds; default 8,192 results /
   * 64 MiB), or false to run every query.
   */
  readonly queryCache?: QueryCacheOptions | false;
}

export interface Backend {
  /** `http://127.0.0.1:3210`: HTTP API, sync WebSocket and push API. */
  readonly url: string;
  /** `http://127.0.0.1:3211`: HTTP actions. */
  readonly siteUrl: string;
  readonly adminKey: string;
  readonly engine: TandemEngine;
  readonly storage: Storage;
  /** Runs scheduled functions and crons. */
  readonly scheduler: Scheduler;
  /** The deployment's env vars (as `npx convex env list` shows them). */
  environmentVariables(): Readonly<Record<string, string>>;
  /** Sets deployment env vars as `npx convex env set` would (`null` removes one). */
  setEnvironmentVariables(vars: Readonly<Record<string, string | null>>): Promise<void>;
  /** `starting`, `ready` or `draining`, as `GET /ready` reports it. */
  readonly state: LifecycleState;
  /**
   * Graceful stop (docs/operations.md#graceful-drain): `/ready` turns 503, no new connections are
   * taken, in-flight requests and function calls finish (up to `timeoutMs`, default 10 s), sync
   * clients are closed with 1001 so they reconnect, then everything closes.
   */
  drain(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * One function thread per core: the main thread (HTTP, sync, commits) shares a core with one of
 * them, which measured better on 2 cores than one thread fewer (bench/README.md, scaling).
 */
export function defaultFunctionThreads(): number {
  return Math.max(1, availableParallelism());
}

export const DATABASE_FILE = "tandem.sqlite3";

export async function startBackend(options: BackendOptions): Promise<Backend> {
  const host = options.host ?? "127.0.0.1";
  const instanceName = options.instanceName ?? "tandem";
  const logger = options.logger ?? createLogger("backend");
  setHeapGrowth(options.heapGrowingPercent);
  await mkdir(options.dataDir, { recursive: true });
  const adminKey = await loadOrCreateAdminKey(options.dataDir, instanceName, options.adminKey);
  const database: StorageDescriptor = options.database ?? {
    kind: "sqlite",
    path: join(options.dataDir, DATABASE_FILE),
  };
  const storage = options.storage ?? (await openStorage(database));
  const workers = options.storage ? 0 : (options.workers ?? defaultFunctionThreads());
  const signingKey = await loadOrCreateDeploymentKey(storage);
  const files = new FileStorage({
    storage,
    blobs: blobStoreConfig(options),
    secret: await loadOrCreateStorageSecret(options.dataDir),
    limitBytes: options.fileUploadLimitBytes ?? DEFAULT_UPLOAD_LIMIT_BYTES,
    logger: logger.child("files"),
  });
  const engine = createEngine({
    storage,
    files: { thread: files.threadConfig, access: files.access, call: (c) => files.call(c) },
    logger: logger.child("engine"),
    name: instanceName,
    signingKey,
    ...(options.queryCache === undefined ? {} : { queryCache: options.queryCache }),
    ...(workers > 0 ? { workers: { storage: database, count: workers } } : {}),
  });

  const apiServer = createServer({ keepAliveTimeout: 65_000 });
  const siteServer = createServer({ keepAliveTimeout: 65_000 });
  // Answers probes from the first moment the port is open; the routes arrive once wired.
  const lifecycle = new Lifecycle();
  let serveApi: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  let serveSite: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const front = (serve: () => typeof serveApi) => (req: IncomingMessage, res: ServerResponse) => {
    // Keep-alive clients learn to go elsewhere from the answer itself, not from a socket cut under them.
    if (lifecycle.state === "draining") res.setHeader("Connection", "close");
    if (answerProbe(lifecycle, req, res)) return;
    const handler = serve();
    if (!handler || lifecycle.state === "draining") return refuseUnavailable(lifecycle, res);
    // Long polls would hold a drain for their whole wait; they are safe to cut.
    if (!req.url?.startsWith("/api/stream_function_logs")) lifecycle.trackResponse(res);
    handler(req, res);
  };
  apiServer.on(
    "request",
    front(() => serveApi),
  );
  siteServer.on(
    "request",
    front(() => serveSite),
  );
  const tracked = trackedEngine(engine, lifecycle);
  let sync: SyncServer | null = null;
  let scheduler: Scheduler | null = null;
  let follower: CommitFollower | null = null;
  let detachFiles = () => {};
  try {
    const port = await listen(apiServer, options.port ?? 3210, host);
    const sitePort = await listen(siteServer, options.sitePort ?? 3211, host);
    const urls = { cloud: originOf(host, port), site: originOf(host, sitePort) };

    const env = new EnvironmentVariables(storage, engine, await loadEnvironment(storage), {
      CONVEX_CLOUD_URL: urls.cloud,
      CONVEX_SITE_URL: urls.site,
    });
    detachFiles = files.attach(engine, urls.cloud);
    const logs = new LogStream();
    engine.onExecution((entry) => logs.push(entry));
    const validation: ValidationContext = {
      tableNumberToName: (n) => storage.tableByNumber(n as never)?.name,
      decodeId: (id) => decodeId(id),
    };
    const userAuth = new DeploymentAuth(logger.child("auth"), {
      ...(options.clock ? { now: () => options.clock!.now() } : {}),
      ...(options.issuerFetch ? { fetch: options.issuerFetch } : {}),
    });
    // Every deployment that goes live (at open and on each push) passes its providers to userAuth.
    const deployer = {
      analyze: engine.analyze.bind(engine),
      deploy: async (d: Parameters<TandemEngine["deploy"]>[0]) => {
        await engine.deploy(d);
        userAuth.deployed(d);
      },
    };
    const push = await PushService.open({
      storage,
      engine: deployer,
      env,
      validation,
      logger: logger.child("push"),
      nodePackagesDir: options.nodePackagesDir,
    });
    registerCliSystemFunctions(engine, { env, storage, live: () => push.live(), cloudUrl: urls.cloud });
    const external = new ExternalCommits(engine);
    /** The live schema's check of a document written from outside a function (import, dashboard). */
    const documentCheck = () => {
      const live = push.live();
      return live ? makeDocumentCheck(live.analysis, validation) : () => {};
    };
    const imports = new ImportService({
      storage,
      commits: external,
      putFile: (id, bytes) => files.blobs.put(blobKeyOf(id), [bytes], Number.MAX_SAFE_INTEGER),
      logger: logger.child("import"),
      documentCheck,
    });
    const exports = new ExportService(storage, files.blobs, logger.child("export"));
    registerDataSystemFunctions(engine, { storage, imports, exports });
    const clock = options.clock ?? systemClock;
    const jobs = new Scheduler({
      storage,
      engine,
      clock,
      logger: logger.child("scheduler"),
      ...(options.nodeLeaseMs !== undefined ? { nodeLeaseMs: options.nodeLeaseMs } : {}),
    });
    scheduler = jobs;
    registerSchedulerSystemFunctions(engine, { storage, engine, crons: jobs.crons, clock });
    registerFrontendSystemFunctions(engine, {
      storage,
      engine,
      live: () => push.live(),
      documentCheck,
      cronJobs: () => listCronJobs(jobs.crons),
    });
    await jobs.start();
    // Nodes sharing one database follow each other's commits, pushes and env changes.
    follower = await CommitFollower.start({
      storage,
      logger: logger.child("follower"),
      ...(options.followPollMs !== undefined ? { pollMs: options.followPollMs } : {}),
      after: async () => {
        await env.refresh();
        await push.refresh();
      },
    });

    const auth: RequestAuthenticator = {
      authenticateUser: installAuthDoctor(engine, {
        live: () => push.live(),
        env: () => env.all(),
        authenticate: options.authenticateUser ?? userAuth.authenticateUser,
      }),
      checkAdminKey: (key) => sameAdminKey(key, adminKey),
    };
    const routes = [
      ...metaRoutes({ instanceName, version: BACKEND_VERSION, jwks: deploymentJwks(signingKey) }),
      ...functionRoutes({ engine: tracked, auth }),
      ...deployRoutes({ push, auth, urls }),
      ...envRoutes({ env, auth }),
      ...logRoutes({ logs, auth, ...(options.logPollMs !== undefined ? { logPollMs: options.logPollMs } : {}) }),
      ...dataRoutes({ imports, exports, auth }),
    ];
    const api = storageHttp(files, logger.child("files"), createRouter(routes, logger.child("http")));
    const site = createSiteHandler({
      engine: tracked,
      auth,
      siteOrigin: () => urls.site,
      logger: logger.child("http-actions"),
    });
    const metrics = createBackendMetrics({
      engine,
      sync: () => sync,
      lifecycle,
      scheduledBacklog: scheduledBacklogOf(storage),
    });
    serveSite = site;
    // HTTP actions are also reachable on the main origin under `/http/` (docs/http-api.md).
    serveApi = (req, res) => {
      if (req.url?.startsWith("/http/")) return void site(req, res, req.url.slice("/http".length));
      if (req.method === "GET" && req.url?.split("?")[0] === "/metrics")
        return void answerMetrics(metrics.registry, auth.checkAdminKey, req, res);
      api(req, res);
    };
    sync = attachSyncServer(apiServer, {
      engine: tracked,
      authenticateUser: auth.authenticateUser,
      checkAdminKey: auth.checkAdminKey,
      logger: logger.child("sync"),
      ...(options.clock ? { clock: () => options.clock!.now() } : {}),
    });
    const syncServer = sync;
    // Sessions authenticated against providers that are gone are re-checked (and dropped if refused).
    if (!options.authenticateUser)
      userAuth.onProvidersChanged(() => void syncServer.recheckUsers(auth.authenticateUser));

    let closed: Promise<void> | null = null;
    let drained: Promise<void> | null = null;
    const close = () =>
      (closed ??= (async () => {
        lifecycle.startDraining();
        metrics.detach();
        detachFiles();
        await sync?.close();
        await Promise.all([closeServer(apiServer), closeServer(siteServer)]);
        await follower?.close();
        await scheduler?.close();
        await engine.close();
        await storage.close();
      })());
    lifecycle.ready();
    return {
      url: urls.cloud,
      siteUrl: urls.site,
      adminKey,
      engine,
      storage,
      scheduler,
      environmentVariables: () => env.all(),
      setEnvironmentVariables: (vars) => env.update(Object.entries(vars).map(([name, value]) => ({ name, value }))),
      get state() {
        return lifecycle.state;
      },
      drain: (timeoutMs = 10_000) =>
        (drained ??= (async () => {
          lifecycle.startDraining();
          // Still listening, so probes see 503 and new requests get a clean 503 (with
          // `Connection: close`) rather than a refused connection.
          await lifecycle.idle(timeoutMs);
          await close();
        })()),
      close,
    };
  } catch (e) {
    await follower?.close().catch(() => {});
    await scheduler?.close().catch(() => {});
    detachFiles();
    await sync?.close();
    await Promise.all([closeServer(apiServer), closeServer(siteServer)]);
    await engine.close().catch(() => {});
    await storage.close().catch(() => {});
    throw e;
  }
}

export type { Server };

function blobStoreConfig(options: BackendOptions): BlobStoreConfig {
  const given = options.fileStorage;
  if (given?.kind === "s3") return { ...given, spoolDir: given.spoolDir ?? join(options.dataDir, "files-spool") };
  return { kind: "disk", root: join(options.dataDir, "files") };
}
