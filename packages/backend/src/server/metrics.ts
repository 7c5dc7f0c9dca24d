/**
 * Prometheus metrics at `GET /metrics` with the admin key (docs/operations.md#metrics). One
 * registry per backend, so several backends in one process (tests, embedders) keep apart.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Storage } from "@tandem/storage";
import { allDocuments } from "../deploy/schema-job.js";
import type { TandemEngine } from "../engine/index.js";
import type { QueryCacheStats } from "../engine/query-cache.js";
import type { SyncServer } from "../sync/index.js";
import type { Lifecycle } from "./lifecycle.js";

export interface MetricSources {
  readonly engine: TandemEngine;
  readonly sync: () => SyncServer | null;
  readonly lifecycle: Lifecycle;
  /** Jobs of `_scheduled_functions` waiting to run. */
  readonly scheduledBacklog: () => Promise<number>;
}

export function createBackendMetrics(s: MetricSources): { registry: Registry; detach: () => void } {
  const registry = new Registry();
  const syncStat = <T>(f: (st: NonNullable<ReturnType<SyncServer["stats"]>>) => T, zero: T): T => {
    const sync = s.sync();
    return sync ? f(sync.stats()) : zero;
  };
  new Gauge({
    name: "tandem_sync_connections",
    help: "Open sync WebSocket connections.",
    registers: [registry],
    collect() {
      this.set(syncStat((st) => st.connections, 0));
    },
  });
  new Gauge({
    name: "tandem_sync_subscribed_queries",
    help: "Query subscriptions over all sync connections.",
    registers: [registry],
    collect() {
      this.set(syncStat((st) => st.queries, 0));
    },
  });
  new Gauge({
    name: "tandem_subscriptions",
    help: "Distinct live subscriptions (query executions shared by subscribers).",
    registers: [registry],
    collect() {
      this.set(syncStat((st) => st.subscriptions.executions, 0));
    },
  });
  new Gauge({
    name: "tandem_in_flight",
    help: "Work a drain waits for: HTTP requests and function calls not yet finished.",
    labelNames: ["what"] as const,
    registers: [registry],
    collect() {
      this.set({ what: "function_calls" }, s.lifecycle.calls);
      this.set({ what: "requests" }, s.lifecycle.inFlight - s.lifecycle.calls);
    },
  });
  new Gauge({
    name: "tandem_ready",
    help: "1 while the backend takes traffic, 0 while starting or draining.",
    registers: [registry],
    collect() {
      this.set(s.lifecycle.state === "ready" ? 1 : 0);
    },
  });
  new Gauge({
    name: "tandem_scheduled_jobs_backlog",
    help: "Scheduled functions waiting to run (pending, due or not).",
    registers: [registry],
    async collect() {
      this.set(await s.scheduledBacklog());
    },
  });
  const commits = new Counter({ name: "tandem_commits_total", help: "Transactions committed.", registers: [registry] });
  const executions = new Counter({
    name: "tandem_function_executions_total",
    help: "Function executions by kind and outcome.",
    labelNames: ["kind", "outcome"] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: "tandem_function_duration_seconds",
    help: "Function execution time by kind.",
    labelNames: ["kind"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
    registers: [registry],
  });
  const offCommit = s.engine.onCommit(() => commits.inc());
  // Labelled children looked up once per kind (prom-client hashes a label object on every call).
  const byKind = new Map<
    string,
    {
      ok: ReturnType<typeof executions.labels>;
      failed: ReturnType<typeof executions.labels>;
      time: ReturnType<typeof latency.labels>;
    }
  >();
  const offExec = s.engine.onExecution((e) => {
    // A reused query result ran nothing: counted by the cache's own counter below.
    if (e.cached) return;
    let m = byKind.get(e.kind);
    if (!m)
      byKind.set(
        e.kind,
        (m = {
          ok: executions.labels(e.kind, "success"),
          failed: executions.labels(e.kind, "failure"),
          time: latency.labels(e.kind),
        }),
      );
    (e.error === null ? m.ok : m.failed).inc();
    m.time.observe(e.executionTimeSeconds);
  });
  queryCacheMetrics(registry, () => s.engine.queryCacheStats());
  return {
    registry,
    detach: () => {
      offCommit();
      offExec();
    },
  };
}

/** The query cache's lookups (hits, misses) and what it holds, read at each scrape. */
function queryCacheMetrics(registry: Registry, stats: () => QueryCacheStats): void {
  let counted = { hits: 0, misses: 0 };
  new Counter({
    name: "tandem_query_cache_lookups_total",
    help: "Query calls by whether a kept result answered them (hit) or the query ran (miss).",
    labelNames: ["outcome"] as const,
    registers: [registry],
    collect() {
      const now = stats();
      // The engine counts from its start; the counter moves by what happened since the last scrape.
      this.labels("hit").inc(now.hits - counted.hits);
      this.labels("miss").inc(now.misses - counted.misses);
      counted = { hits: now.hits, misses: now.misses };
    },
  });
  new Gauge({
    name: "tandem_query_cache_entries",
    help: "Query results kept for reuse.",
    registers: [registry],
    collect() {
      this.set(stats().entries);
    },
  });
  new Gauge({
    name: "tandem_query_cache_bytes",
    help: "Approximate bytes of the query results kept (values, keys, read sets).",
    registers: [registry],
    collect() {
      this.set(stats().bytes);
    },
  });
}

/** Pending jobs in `_scheduled_functions`, read from the latest snapshot. */
export function scheduledBacklogOf(storage: Storage): () => Promise<number> {
  return async () => {
    if (!storage.tables().some((t) => t.name === "_scheduled_functions")) return 0;
    let n = 0;
    for await (const doc of allDocuments(storage, "_scheduled_functions")) {
      const state = (doc as { state?: { kind?: string } }).state;
      if (state?.kind === "pending" || state?.kind === "inProgress") n++;
    }
    return n;
  };
}

/** `GET /metrics`: the admin key as `Authorization: Bearer KEY` (Prometheus' own) or `Convex KEY`. */
export async function answerMetrics(
  registry: Registry,
  checkAdminKey: (key: string) => boolean,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const header = req.headers.authorization ?? "";
  const m = /^(?:Bearer|Convex)\s+(.+)$/.exec(header);
  if (!m || !checkAdminKey(m[1]!.trim())) {
    res.writeHead(401, { "Content-Type": "text/plain; charset=utf-8", "WWW-Authenticate": "Bearer" });
    res.end("/metrics needs the admin key: Authorization: Bearer <admin key>");
    return;
  }
  const text = await registry.metrics();
  res.writeHead(200, { "Content-Type": registry.contentType, "Cache-Control": "no-store" });
  res.end(text);
}
