/**
 * The scheduler service: one timer-driven loop over the job queue (`_scheduled_functions`) and the
 * crons (`_cron_jobs`). It wakes when a commit writes a job, when a job finishes, when the
 * earliest pending job or cron is due (on its clock), and after every push (crons are replaced).
 *
 * Several nodes on one database (docs/scale-out.md#leases) each run this loop over the same
 * tables: every node runs due jobs (each job's commit decides which run counts), only the node
 * holding the crons leader lease fires crons, and each heartbeat of the node lease looks for
 * actions left `inProgress` by nodes whose lease expired.
 */
import type { Logger } from "@tandem/shared";
import type { Storage } from "@tandem/storage";
import type { Deployment } from "../engine/deployment.js";
import { systemClock, type Clock } from "./clock.js";
import { CronRunner } from "./crons.js";
import { JobExecutor, type SchedulerEngine } from "./executor.js";
import { ensureSchedulerTables, JOBS_TABLE } from "./tables.js";
import { NodeLease } from "./node-lease.js";

const PURGE_EVERY_MS = 10 * 60_000;

export interface SchedulerOptions {
  readonly storage: Storage;
  readonly engine: SchedulerEngine & {
    onDeploy(listener: (d: Deployment) => void): () => void;
    current(): Deployment | null;
  };
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Scheduled mutations in flight at once (default 32). */
  readonly concurrency?: number;
  /** Scheduled actions running at once (default 16). */
  readonly actionConcurrency?: number;
  /** The node lease period (default 10 s): how long after a node dies its actions are failed. */
  readonly nodeLeaseMs?: number;
}

export class Scheduler {
  readonly #o: SchedulerOptions;
  readonly #clock: Clock;
  readonly executor: JobExecutor;
  readonly crons: CronRunner;
  /** This node's identity and heartbeat. */
  readonly node: NodeLease;
  #jobIndexes = new Set<number>();
  #unsubscribe: Array<() => void> = [];
  #cancelTimer: (() => void) | null = null;
  #timerAt: number | null = null;
  #queued = false;
  #ticking: Promise<void> | null = null;
  #again = false;
  #closed = false;
  #deploying: Promise<void> = Promise.resolve();
  /** Clock time of the next sweep of finished jobs past their retention. */
  #purgeAt = 0;

  constructor(options: SchedulerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    const common = { storage: options.storage, engine: options.engine, clock: this.#clock, logger: options.logger };
    this.node = new NodeLease({
      storage: options.storage,
      logger: options.logger,
      ...(options.nodeLeaseMs !== undefined ? { ttlMs: options.nodeLeaseMs } : {}),
    });
    this.executor = new JobExecutor({
      ...common,
      nodeId: this.node.id,
      concurrency: options.concurrency ?? 32,
      actionConcurrency: options.actionConcurrency ?? 16,
    });
    this.crons = new CronRunner(common);
  }

  /** Creates the tables, fails actions a crash interrupted, syncs crons, then starts running jobs. */
  async start(): Promise<void> {
    const { storage, engine } = this.#o;
    if (await ensureSchedulerTables(storage)) engine.catalogChanged();
    this.#jobIndexes = new Set(storage.indexes(JOBS_TABLE).map((i) => i.id as number));
    await this.node.start();
    // One node (SQLite): whatever was running stopped with the last process. Shared database:
    // only the work of nodes whose lease expired.
    await this.#recover(storage.otherWriters);
    const live = engine.current();
    if (live) await this.crons.replace(live);
    let leader = this.node.isLeader();
    this.#unsubscribe.push(
      engine.onCommit((n) => {
        if (n.all || n.writes.some((w) => this.#jobIndexes.has(w.index))) this.#kick();
      }),
      engine.onDeploy((d) => {
        this.#deploying = this.#deploying
          .then(() => this.crons.replace(d))
          .catch((error: unknown) => this.#o.logger.error("cron jobs could not be replaced", { error }))
          .then(() => this.#kick());
      }),
      this.node.onBeat(() => {
        // Taking the leader role: the crons are this node's to fire from now on.
        if (this.node.isLeader() !== leader) {
          leader = !leader;
          if (leader) this.#kick();
        }
        if (storage.otherWriters) this.#recovering ??= this.#recover(true).finally(() => (this.#recovering = null));
      }),
    );
    this.#kick();
  }

  #recovering: Promise<void> | null = null;

  async #recover(onlyDead: boolean): Promise<void> {
    try {
      const failed = await this.executor.recover(onlyDead ? await this.node.liveNodes() : null);
      if (failed > 0)
        this.#o.logger.warn(
          onlyDead
            ? "scheduled actions of nodes that stopped were marked failed"
            : "scheduled actions interrupted by a restart were marked failed",
          { count: failed },
        );
    } catch (error) {
      if (!this.#closed) this.#o.logger.error("interrupted scheduled actions could not be looked for", { error });
    }
  }

  /** Resolves once the crons of the latest push are in place (tests). */
  settled(): Promise<void> {
    return this.#deploying;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const u of this.#unsubscribe) u();
    this.#cancelTimer?.();
    await this.#ticking;
    await this.#recovering;
    await this.executor.close();
    await this.#deploying;
    await this.node.close();
  }

  /** Coalesces wake-ups: at most one pass runs at a time, and one more is queued behind it. */
  #kick(): void {
    if (this.#closed) return;
    if (this.#ticking) {
      this.#again = true;
      return;
    }
    if (this.#queued) return;
    this.#queued = true;
    setImmediate(() => {
      this.#queued = false;
      this.#ticking = this.#tick().finally(() => {
        this.#ticking = null;
        if (this.#again) {
          this.#again = false;
          this.#kick();
        }
      });
    });
  }

  async #tick(): Promise<void> {
    if (this.#closed) return;
    const done = () => this.#kick();
    let wake: number | null = null;
    try {
      const jobs = await this.executor.dispatch(done);
      // Another node leads: it fires the crons; a beat that hands this node the role wakes it.
      const crons = this.node.isLeader() ? await this.crons.dispatch(done) : null;
      if (this.#clock.now() >= this.#purgeAt) {
        this.#purgeAt = this.#clock.now() + PURGE_EVERY_MS;
        await this.executor.purge();
      }
      wake = Math.min(jobs ?? Infinity, crons ?? Infinity, this.#purgeAt);
    } catch (error) {
      if (this.#closed) return;
      this.#o.logger.error("scheduler pass failed", { error });
      wake = this.#clock.now() + 1000;
    }
    if (wake !== null && wake !== this.#timerAt) {
      this.#cancelTimer?.();
      this.#timerAt = wake;
      this.#cancelTimer = this.#clock.at(wake, () => {
        this.#timerAt = null;
        this.#cancelTimer = null;
        this.#kick();
      });
    }
  }
}
