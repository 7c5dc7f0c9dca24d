/**
 * Function workers seen from the engine: a fixed number of threads, each running one job at a
 * time. A job that outlives the time limit (user code that never yields) gets its thread
 * terminated and replaced; everything else queued keeps going on the other threads.
 */
import type { Worker } from "node:worker_threads";
import { attachThread, spawnThread } from "./spawn-thread.js";
import type { Logger } from "@tandem/shared";
import type { KeyRange, PreparedCommit, TableInfo } from "@tandem/storage";
import { decodeDone, encodeJob } from "./job-wire.js";
import type { Deployment } from "../../engine/deployment.js";
import {
  NO_PREPARED_WRITES,
  type FromWorker,
  type JobOutcome,
  type RunJob,
  type ToWorker,
  type WorkerData,
} from "./protocol.js";
import { timeLimitMessage } from "../realm.js";

export interface JobResult {
  readonly out: JobOutcome;
  readonly readSet: KeyRange[];
  readonly prepared: PreparedCommit;
  /** The function read the clock. */
  readonly observedTime: boolean;
}

const SHUTTING_DOWN = "The server is shutting down.";

/** The result of a job that never finished (its thread was replaced, or the server stops). */
function failedJob(message: string): JobResult {
  return {
    out: { ok: false, error: { message }, logLines: [], journal: null },
    readSet: [],
    prepared: NO_PREPARED_WRITES,
    observedTime: false,
  };
}

interface Pending {
  readonly id: number;
  readonly job: RunJob;
  readonly resolve: (r: JobResult) => void;
}

interface Slot {
  worker: Worker;
  /** Jobs chosen for this thread in the current turn, sent together. */
  outbox: Pending[];
  /** Jobs sent to the thread, oldest first; it runs them one at a time in this order. */
  running: Pending[];
  /** Fires when the thread has made no progress for a whole job time limit. */
  timer: NodeJS.Timeout | null;
  /** False while the thread starts or loads a deployment: its jobs then get the startup limit. */
  ready: boolean;
}

/** How long a thread may take to start or load a deployment before it is considered stuck. */
const STARTUP_LIMIT_MS = 30_000;

/** Jobs sent ahead to each thread, so it never waits on a round trip between jobs. */
const PIPELINE_DEPTH = 16;

export interface WorkerPoolOptions {
  readonly data: WorkerData;
  readonly count: number;
  /** Wall-clock limit of one job before its thread is replaced (user time limit + grace). */
  readonly jobTimeoutMs: number;
  readonly userLimitMs: number;
  readonly ensureTable: (name: string) => Promise<TableInfo>;
  readonly logger: Logger;
}

export class WorkerPool {
  readonly #opts: WorkerPoolOptions;
  readonly #slots: Slot[] = [];
  readonly #queue: Pending[] = [];
  #deployment: Deployment | null = null;
  #env: Readonly<Record<string, string>> = {};
  #nextId = 1;
  #closed = false;
  /** Threads replaced because a job ran past the limit (tests and stats). */
  replaced = 0;

  constructor(opts: WorkerPoolOptions) {
    this.#opts = opts;
    for (let i = 0; i < opts.count; i++) this.#slots.push(this.#spawn());
  }

  #spawn(existing?: Slot): Slot {
    const worker = spawnThread("worker-main", this.#opts.data);
    const slot: Slot = existing ?? { worker, outbox: [], running: [], timer: null, ready: false };
    slot.outbox = [];
    slot.worker = worker;
    slot.ready = false;
    const hello: ToWorker[] = [{ type: "env", env: this.#env }];
    if (this.#deployment) hello.unshift({ type: "deploy", deployment: this.#deployment });
    attachThread<FromWorker>(
      worker,
      () => slot.worker === worker,
      {
        message: (m) => this.#onMessage(slot, m),
        error: (e) => {
          this.#opts.logger.error("function worker failed", { error: e });
          this.#replace(slot, "The function worker failed while running this function.");
        },
        exit: () => {
          if (!this.#closed) this.#replace(slot, "The function worker exited.");
        },
      },
      hello,
    );
    return slot;
  }

  /** Jobs queued or running in a thread, not yet answered. */
  get jobsInFlight(): number {
    let n = this.#queue.length;
    for (const s of this.#slots) n += s.running.length;
    return n;
  }

  deploy(deployment: Deployment): void {
    this.#deployment = deployment;
    for (const s of this.#slots) {
      s.ready = false;
      s.worker.postMessage({ type: "deploy", deployment } satisfies ToWorker);
    }
  }

  /** Tells every thread which documents of a searchable table a commit wrote. */
  searchDirty(table: string, ids: readonly string[]): void {
    for (const s of this.#slots) s.worker.postMessage({ type: "searchDirty", table, ids } satisfies ToWorker);
  }

  setEnvironment(env: Readonly<Record<string, string>>): void {
    this.#env = env;
    for (const s of this.#slots) s.worker.postMessage({ type: "env", env } satisfies ToWorker);
  }

  /** `urgent` jobs go ahead of everything not yet sent to a thread (the exclusive retry lane). */
  run(job: RunJob, urgent = false): Promise<JobResult> {
    return new Promise((resolve) => {
      const p = { id: this.#nextId++, job, resolve };
      if (urgent) this.#queue.unshift(p);
      else this.#queue.push(p);
      this.#dispatch();
    });
  }

  #dispatch(): void {
    // Fill the least-loaded threads first.
    while (this.#queue.length > 0) {
      let best: Slot | null = null;
      for (const s of this.#slots)
        if (s.running.length < PIPELINE_DEPTH && (!best || s.running.length < best.running.length)) best = s;
      if (!best) return;
      const p = this.#queue.shift()!;
      // An idle thread gets its job at once: it starts while this turn goes on (a subscription's
      // re-run no longer waits for the main thread to answer the mutation's writer first).
      const idle = best.running.length === 0;
      if (best.outbox.length === 0 && !idle) {
        const slot = best;
        // Sent at the end of this event-loop turn, together with every other job that arrives
        // meanwhile: one message (and one wake-up of the thread) instead of many.
        setImmediate(() => this.#flush(slot));
      }
      best.running.push(p);
      if (!best.timer) this.#arm(best);
      best.outbox.push(p);
      if (idle) this.#flush(best);
    }
  }

  #flush(slot: Slot): void {
    if (slot.outbox.length === 0) return;
    const items = slot.outbox;
    slot.outbox = [];
    slot.worker.postMessage({
      type: "run",
      ids: items.map((p) => p.id),
      jobs: items.map((p) => encodeJob(p.job)),
    } satisfies ToWorker);
  }

  #arm(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    const limit = slot.ready ? this.#opts.jobTimeoutMs : STARTUP_LIMIT_MS;
    slot.timer = setTimeout(() => this.#replace(slot, timeLimitMessage(this.#opts.userLimitMs)), limit);
  }

  #onMessage(slot: Slot, m: FromWorker): void {
    switch (m.type) {
      case "done": {
        for (const wire of m.items) {
          const { id, ...result } = decodeDone(wire);
          const p = slot.running[0];
          if (!p || p.id !== id) continue;
          slot.running.shift();
          p.resolve(result);
        }
        // Progress: the next job gets a full time limit from now.
        if (slot.timer) clearTimeout(slot.timer);
        slot.timer = null;
        if (slot.running.length > 0) this.#arm(slot);
        this.#dispatch();
        return;
      }
      case "ready":
        slot.ready = true;
        if (slot.running.length > 0) this.#arm(slot);
        return;
      case "request":
        this.#opts.ensureTable(m.table).then(
          (value) => slot.worker.postMessage({ type: "reply", id: m.id, ok: true, value } satisfies ToWorker),
          (e: Error) =>
            slot.worker.postMessage({ type: "reply", id: m.id, ok: false, message: e.message } satisfies ToWorker),
        );
        return;
      default:
        return m satisfies never;
    }
  }

  /**
   * Terminates a slot's thread, fails the job it was stuck on with `message`, and starts a fresh
   * thread; the jobs queued behind it never started, so they go back to the queue.
   */
  #replace(slot: Slot, message: string): void {
    if (this.#closed) return;
    const [stuck, ...waiting] = slot.running;
    if (slot.timer) clearTimeout(slot.timer);
    const old = slot.worker;
    slot.running = [];
    slot.timer = null;
    this.#spawn(slot);
    this.replaced += 1;
    void old.terminate();
    this.#queue.unshift(...waiting);
    stuck?.resolve(failedJob(message));
    this.#dispatch();
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const s of this.#slots) {
      if (s.timer) clearTimeout(s.timer);
      for (const p of s.running.splice(0)) p.resolve(failedJob(SHUTTING_DOWN));
    }
    for (const p of this.#queue.splice(0)) p.resolve(failedJob(SHUTTING_DOWN));
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}
