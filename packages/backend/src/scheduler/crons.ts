/**
 * Crons from `convex/crons.ts` (docs/semantics.md#scheduled-functions-and-crons). Each cron is a `_cron_jobs` document with
 * its spec and next run time, replaced on every push. A cron mutation's run commits together with
 * the advance of its next run time (exactly once per due time); a cron action's next run time is
 * advanced before it starts (at most once). Runs missed while the server was down are skipped;
 * a cron never runs twice at the same time.
 */
import { fullRange, type ConvexJSON, type Storage } from "@tandem/storage";
import type { Logger } from "@tandem/shared";
import type { Analysis, Deployment } from "../engine/deployment.js";
import { functionHandle } from "../components/addresses.js";
import type { Clock } from "./clock.js";
import { compileSchedule, nextRun, type CompiledSchedule, type CronScheduleJSON } from "./cron-schedule.js";
import { withJobState, type SchedulerEngine } from "./executor.js";
import { runSystemTransaction } from "./system-transaction.js";
import { scanValue } from "../transactions/transaction.js";
import { CRONS_TABLE, displayName } from "./tables.js";

export type CronRunStatus = { kind: "success" } | { kind: "failure"; error: string };

/** A `_cron_jobs` document. */
export interface CronDocument {
  _id: string;
  _creationTime: number;
  /** The identifier given to `crons.interval(...)` etc. */
  name: string;
  /** The component instance whose `crons.ts` defines it; absent for the app's. */
  component?: string;
  cronSpec: { udfPath: string; udfArgs: ConvexJSON; cronSchedule: ConvexJSON };
  prevTs: number | null;
  nextTs: number;
  lastRun: { ts: number; status: CronRunStatus } | null;
}

interface Spec {
  readonly name: string;
  readonly args: ConvexJSON[];
  readonly schedule: CronScheduleJSON;
}

export class CronRunner {
  readonly #storage: Storage;
  readonly #engine: SchedulerEngine;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #running = new Set<string>();
  readonly #compiled = new Map<string, CompiledSchedule>();

  constructor(o: { storage: Storage; engine: SchedulerEngine; clock: Clock; logger: Logger }) {
    this.#storage = o.storage;
    this.#engine = o.engine;
    this.#clock = o.clock;
    this.#log = o.logger;
  }

  async list(): Promise<CronDocument[]> {
    const idx = this.#storage.indexes(CRONS_TABLE).find((i) => i.name === "by_creation_time");
    if (!idx) return [];
    const rows = await this.#storage.snapshot().scan(fullRange(idx), "asc", 100_000);
    return rows.map((r) => r.doc.value as unknown as CronDocument);
  }

  /** Replaces the stored crons with the deployment's: unchanged ones keep their next run time. */
  async replace(deployment: Deployment): Promise<void> {
    const wanted = new Map<string, { identifier: string; component: string; spec: Spec; schedule: CompiledSchedule }>();
    for (const { component, analysis } of cronSources(deployment)) {
      const exported = (analysis.modules.find((m) => m.path === "crons.js")?.crons ?? {}) as Record<string, Spec>;
      for (const [identifier, raw] of Object.entries(exported)) {
        // A component's cron names its own function: stored as a handle, which runs it there.
        const spec = component === "" ? raw : { ...raw, name: functionHandle(component, displayName(raw.name)) };
        try {
          wanted.set(cronKey(component, identifier), {
            identifier,
            component,
            spec,
            schedule: compileSchedule(spec.schedule, identifier),
          });
        } catch (error) {
          this.#log.error("cron job skipped: invalid schedule", { cron: identifier, component, error });
        }
      }
    }
    const now = this.#clock.now();
    await runSystemTransaction(
      this.#storage,
      this.#engine,
      async (tx) => {
        await tx.catalog.ensureTable(CRONS_TABLE);
        // Read in the transaction (and so checked at commit): two nodes replacing the crons of
        // one push at once must not both insert them.
        const idx = this.#storage.indexes(CRONS_TABLE).find((i) => i.name === "by_creation_time")!;
        const range = fullRange(idx);
        tx.recordRange(range);
        const stored: CronDocument[] = [];
        for await (const e of tx.scan(idx, range, "asc")) stored.push(scanValue(e) as unknown as CronDocument);
        const seen = new Set<string>();
        for (const doc of stored) {
          const key = cronKey(doc.component ?? "", doc.name);
          const w = wanted.get(key);
          const cronSpec = w && specOf(w.spec);
          if (w && !seen.has(key) && JSON.stringify(cronSpec) === JSON.stringify(doc.cronSpec)) {
            seen.add(key);
            continue;
          }
          await tx.write(doc._id as never, CRONS_TABLE, null, doc as never);
        }
        for (const [key, w] of wanted) {
          if (seen.has(key)) continue;
          const next = nextRun(w.schedule, now, null);
          if (next === null) continue;
          const id = tx.catalog.newId(CRONS_TABLE);
          const doc: CronDocument = {
            _id: id,
            _creationTime: tx.nextCreationTime(),
            name: w.identifier,
            ...(w.component === "" ? {} : { component: w.component }),
            cronSpec: specOf(w.spec),
            prevTs: null,
            nextTs: next,
            lastRun: null,
          };
          await tx.write(id, CRONS_TABLE, doc as never, null);
        }
      },
      now,
    );
    this.#compiled.clear();
  }

  /** Starts the due crons; returns the earliest next run time of the others (null: none). */
  async dispatch(onDone: () => void): Promise<number | null> {
    const now = this.#clock.now();
    let wake: number | null = null;
    for (const cron of await this.list()) {
      if (this.#running.has(cron._id)) continue;
      if (cron.nextTs > now) {
        wake = Math.min(wake ?? cron.nextTs, cron.nextTs);
        continue;
      }
      this.#running.add(cron._id);
      void this.#run(cron)
        .catch((error: unknown) => this.#log.error("cron job could not be run", { error, cron: cron.name }))
        .finally(() => {
          this.#running.delete(cron._id);
          onDone();
        });
    }
    return wake;
  }

  #schedule(cron: CronDocument): CompiledSchedule {
    let s = this.#compiled.get(cron._id);
    if (!s)
      this.#compiled.set(cron._id, (s = compileSchedule(cron.cronSpec.cronSchedule as CronScheduleJSON, cron.name)));
    return s;
  }

  /** The document after the run due at `cron.nextTs`, or null when it was replaced meanwhile. */
  #advanced(cur: CronDocument, seen: CronDocument, status: CronRunStatus | null): CronDocument | null {
    if (cur.nextTs !== seen.nextTs) return null;
    const next = nextRun(this.#schedule(cur), this.#clock.now(), cur.nextTs) ?? Number.MAX_SAFE_INTEGER;
    return {
      ...cur,
      prevTs: cur.nextTs,
      nextTs: next,
      lastRun: status ? { ts: this.#clock.now(), status } : cur.lastRun,
    };
  }

  async #run(cron: CronDocument): Promise<void> {
    const path = cron.cronSpec.udfPath;
    const args = (cron.cronSpec.udfArgs as ConvexJSON[])[0] ?? {};
    if (this.#engine.kindOf(path) === "action") {
      if (!(await this.#update(cron, (cur) => this.#advanced(cur, cron, null)))) return;
      const r = await this.#engine.runAction({ path, args, identity: { kind: "none" }, allowInternal: true });
      await this.#update(cron, (cur) => ({
        ...cur,
        lastRun: {
          ts: this.#clock.now(),
          status: r.ok ? { kind: "success" } : { kind: "failure", error: r.error.message },
        },
      }));
      return;
    }
    let aborted = false;
    const r = await this.#engine.runMutation({
      path,
      args,
      identity: { kind: "none" },
      allowInternal: true,
      amendCommit: async (tx) => {
        const t = await withJobState(
          this.#storage,
          tx,
          cron._id,
          (cur) => this.#advanced(cur as never, cron, { kind: "success" }) as never,
          CRONS_TABLE,
        );
        if (!t) aborted = true;
        return t ?? "abort";
      },
    });
    if (r.ok || aborted) return;
    await this.#update(cron, (cur) => this.#advanced(cur, cron, { kind: "failure", error: r.error.message }));
  }

  async #update(cron: CronDocument, change: (cur: CronDocument) => CronDocument | null): Promise<boolean> {
    return runSystemTransaction(
      this.#storage,
      this.#engine,
      async (tx) => {
        const cur = (await tx.get(cron._id as never, CRONS_TABLE)) as unknown as CronDocument | null;
        const next = cur && change(cur);
        if (!cur || !next) return false;
        await tx.write(cron._id as never, CRONS_TABLE, next as never, cur as never);
        return true;
      },
      this.#clock.now(),
    );
  }
}

/** The app's `crons.ts`, then each installed component instance's (by its definition's). */
function cronSources(deployment: Deployment): { component: string; analysis: Analysis }[] {
  const out: { component: string; analysis: Analysis }[] = [{ component: "", analysis: deployment.analysis }];
  const components = deployment.analysis.components;
  for (const inst of Object.values(components?.instances ?? {})) {
    if (inst.path === "") continue;
    const def = components?.definitions[inst.definitionPath];
    if (def) out.push({ component: inst.path, analysis: def.analysis });
  }
  return out;
}

function cronKey(component: string, identifier: string): string {
  return `${component}\u0000${identifier}`;
}

function specOf(spec: Spec): CronDocument["cronSpec"] {
  return { udfPath: spec.name, udfArgs: spec.args as ConvexJSON, cronSchedule: spec.schedule as ConvexJSON };
}
