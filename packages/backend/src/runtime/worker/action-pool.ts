/**
 * Action threads seen from the engine. Actions run concurrently on a thread; each thread beats a
 * heartbeat while its event loop turns. A thread that falls silent is busy with user code that does
 * not yield: a long computation (password hashing in pure JS, a large bundle's first load on a
 * loaded machine) or an endless loop. Convex lets an action compute for its whole time limit, so
 * the thread is not stopped: it takes no new work, and another thread serves new actions until it
 * beats again. The actions on it fail only at the action time limit; a thread still silent when
 * its last action has timed out is terminated. Threads beyond `count` are retired once idle.
 */
import type { TransferListItem, Worker } from "node:worker_threads";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import type { Logger } from "@tandem/shared";
import type { Deployment } from "../../engine/deployment.js";
import type { EngineCallbacks } from "../syscalls.js";
import type { VectorSearchRequest } from "../../search/search-request.js";
import type {
  ActionJob,
  EngineCallResult,
  FromActionWorker,
  ToActionWorker,
  VectorSearchOutcome,
} from "./action-protocol.js";
import type { JobOutcome, WorkerData } from "./protocol.js";
import { attachThread, spawnThread } from "./spawn-thread.js";
import type { HttpActionJob, HttpActionOutcome } from "../../http-actions/types.js";

/** A job in flight: its answer, or the failure message when it never comes. */
interface Running {
  done(out: JobOutcome | HttpActionOutcome): void;
  fail(message: string): void;
}

interface Slot {
  worker: Worker;
  readonly running: Map<number, Running>;
  lastBeat: number;
  /** Heard from since it was spawned: a thread still starting up (loading its modules) is not blocked. */
  started: boolean;
  /** Silent past `blockedAfterMs` with actions running: takes no new work until it beats again. */
  blocked: boolean;
  /** Terminated and out of the pool: its late events are ignored. */
  retired: boolean;
}

export interface ActionPoolOptions {
  readonly data: WorkerData;
  readonly count: number;
  /** Threads at most, counting those set aside while blocked. */
  readonly maxThreads: number;
  /** Silence after which a thread counts as blocked (set aside; it is not stopped). */
  readonly blockedAfterMs: number;
  /** Wall-clock limit of one action (Convex: 10 minutes). */
  readonly actionTimeoutMs: number;
  readonly engine: EngineCallbacks;
  readonly logger: Logger;
}

const fail = (message: string): JobOutcome => ({ ok: false, error: { message }, logLines: [], journal: null });

export class ActionPool {
  readonly #opts: ActionPoolOptions;
  readonly #slots: Slot[] = [];
  readonly #watch: NodeJS.Timeout;
  #deployment: Deployment | null = null;
  #env: Readonly<Record<string, string>> = {};
  #nextId = 1;
  #closed = false;
  replaced = 0;

  constructor(opts: ActionPoolOptions) {
    this.#opts = opts;
    for (let i = 0; i < opts.count; i++) this.#slots.push(this.#spawn());
    this.#watch = setInterval(() => this.#checkHeartbeats(), Math.max(100, Math.floor(opts.blockedAfterMs / 4)));
    this.#watch.unref();
  }

  #spawn(existing?: Slot): Slot {
    const worker = spawnThread("action-worker", this.#opts.data);
    const slot: Slot = existing ?? {
      worker,
      running: new Map(),
      lastBeat: Date.now(),
      started: false,
      blocked: false,
      retired: false,
    };
    slot.worker = worker;
    slot.lastBeat = Date.now();
    slot.started = false;
    slot.blocked = false;
    const hello: ToActionWorker[] = [{ type: "env", env: this.#env }];
    if (this.#deployment) hello.unshift({ type: "deploy", deployment: this.#deployment });
    attachThread<FromActionWorker>(
      worker,
      () => slot.worker === worker && !slot.retired,
      {
        message: (m) => this.#onMessage(slot, m),
        error: (e) => {
          this.#opts.logger.error("action thread failed", { error: e });
          this.#replace(slot, "The action runtime failed while running this action.");
        },
        exit: () => {
          if (!this.#closed) this.#replace(slot, "The action runtime exited.");
        },
      },
      hello,
    );
    return slot;
  }

  deploy(deployment: Deployment): void {
    this.#deployment = deployment;
    for (const s of this.#slots) s.worker.postMessage({ type: "deploy", deployment } satisfies ToActionWorker);
  }

  setEnvironment(env: Readonly<Record<string, string>>): void {
    this.#env = env;
    for (const s of this.#slots) s.worker.postMessage({ type: "env", env } satisfies ToActionWorker);
  }

  run(job: ActionJob): Promise<JobOutcome> {
    if (this.#closed) return Promise.resolve(fail("The server is shutting down."));
    return this.#submit<JobOutcome>(fail, (id) => ({ msg: { type: "run", id, job }, transfer: [] }));
  }

  /** Runs an HTTP action; the request body streams into the thread, the response body out of it. */
  runHttp(job: HttpActionJob, body: ReadableStream<Uint8Array> | null): Promise<HttpActionOutcome> {
    const httpFail = (message: string): HttpActionOutcome => ({ kind: "error", error: { message }, logLines: [] });
    if (this.#closed) return Promise.resolve(httpFail("The server is shutting down."));
    // Node's global ReadableStream is node:stream/web's, the type a transfer list takes; named here
    // because a DOM lib in the same program (the tests' type-check) retypes the global.
    const transfer: TransferListItem[] = body ? [body as NodeReadableStream<Uint8Array>] : [];
    return this.#submit<HttpActionOutcome>(httpFail, (id) => ({ msg: { type: "http", id, job, body }, transfer }));
  }

  #submit<T extends JobOutcome | HttpActionOutcome>(
    failed: (message: string) => T,
    make: (id: number) => { msg: ToActionWorker; transfer: TransferListItem[] },
  ): Promise<T> {
    const slot = this.#pick();
    const id = this.#nextId++;
    return new Promise<T>((resolve) => {
      const timer = setTimeout(() => {
        if (slot.running.delete(id))
          resolve(failed(`Action timed out (maximum duration: ${this.#opts.actionTimeoutMs / 1000}s).`));
      }, this.#opts.actionTimeoutMs);
      slot.running.set(id, {
        done: (out) => {
          clearTimeout(timer);
          resolve(out as T);
        },
        fail: (message) => {
          clearTimeout(timer);
          resolve(failed(message));
        },
      });
      const { msg, transfer } = make(id);
      slot.worker.postMessage(msg, transfer);
    });
  }

  /** The least busy thread that is not blocked; a new one when all are and the cap allows. */
  #pick(): Slot {
    const free = this.#slots.filter((s) => !s.blocked);
    if (free.length === 0 && this.#slots.length < this.#opts.maxThreads) {
      const slot = this.#spawn();
      this.#slots.push(slot);
      return slot;
    }
    const from = free.length > 0 ? free : this.#slots;
    return from.reduce((a, b) => (b.running.size < a.running.size ? b : a));
  }

  #onMessage(slot: Slot, m: FromActionWorker): void {
    slot.lastBeat = Date.now();
    slot.started = true;
    if (slot.blocked) {
      slot.blocked = false;
      this.#opts.logger.info("action thread responsive again");
    }
    switch (m.type) {
      case "heartbeat":
        return;
      case "done":
      case "httpDone": {
        const running = slot.running.get(m.id);
        slot.running.delete(m.id);
        running?.done(m.out);
        this.#retireIfSpare(slot);
        return;
      }
      case "call": {
        const e = this.#opts.engine;
        const pending: Promise<EngineCallResult> =
          m.method === "storage"
            ? (e.storage?.(m.call) ??
              Promise.resolve({ ok: false, message: "File storage is not configured on this backend." }))
            : m.method === "runQuery"
              ? e.runQuery(m.req)
              : m.method === "runMutation"
                ? e.runMutation(m.req)
                : m.method === "runAction"
                  ? e.runAction(m.req)
                  : vectorSearchOutcome(e, m.req);
        void pending.then((result) => {
          if (!this.#closed) slot.worker.postMessage({ type: "callResult", id: m.id, result } satisfies ToActionWorker);
        });
        return;
      }
      default:
        return m satisfies never;
    }
  }

  #lastCheck = Date.now();

  #checkHeartbeats(): void {
    const now = Date.now();
    // If this (main) thread was itself busy, heartbeats may be waiting in its queue: don't judge.
    const late = now - this.#lastCheck > this.#opts.blockedAfterMs / 2;
    this.#lastCheck = now;
    if (late) {
      for (const slot of this.#slots) slot.lastBeat = now;
      return;
    }
    for (const slot of [...this.#slots]) {
      if (!slot.started || now - slot.lastBeat <= this.#opts.blockedAfterMs) {
        this.#retireIfSpare(slot);
        continue;
      }
      if (slot.blocked && slot.running.size === 0) {
        // Every action on it has timed out and it still computes: nothing is left to wait for.
        this.#opts.logger.warn("action thread still blocked after its actions timed out; terminating it");
        this.#remove(slot, true);
      } else if (!slot.blocked && slot.running.size > 0) {
        slot.blocked = true;
        this.#opts.logger.warn("action thread busy without yielding; new actions go to another thread", {
          running: slot.running.size,
        });
        if (!this.#slots.some((s) => !s.blocked) && this.#slots.length < this.#opts.maxThreads)
          this.#slots.push(this.#spawn());
      }
    }
  }

  /** A thread beyond `count` goes once it is idle (the others keep their warm caches). */
  #retireIfSpare(slot: Slot): void {
    if (slot.running.size > 0 || slot.blocked || this.#slots.length <= this.#opts.count) return;
    if (this.#slots.filter((s) => !s.blocked).length <= this.#opts.count) return;
    this.#remove(slot, false);
  }

  /** Terminates a thread for good (`overrun`: counted as replaced); the pool keeps `count` threads. */
  #remove(slot: Slot, overrun: boolean): void {
    if (this.#slots.length <= this.#opts.count) {
      this.#replace(slot, "Action timed out.");
      return;
    }
    this.#slots.splice(this.#slots.indexOf(slot), 1);
    slot.retired = true;
    if (overrun) this.replaced += 1;
    void slot.worker.terminate();
    for (const running of slot.running.values()) running.fail("Action timed out.");
    slot.running.clear();
  }

  #replace(slot: Slot, message: string): void {
    if (this.#closed) return;
    const stuck = [...slot.running.values()];
    slot.running.clear();
    const old = slot.worker;
    this.#spawn(slot);
    this.replaced += 1;
    void old.terminate();
    for (const running of stuck) running.fail(message);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#watch);
    for (const s of this.#slots) {
      for (const running of s.running.values()) running.fail("The server is shutting down.");
      s.running.clear();
    }
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}

function vectorSearchOutcome(e: EngineCallbacks, req: VectorSearchRequest): Promise<VectorSearchOutcome> {
  if (!e.vectorSearch) return Promise.resolve({ ok: false, message: "Vector search is not available." });
  return e.vectorSearch(req).then(
    (value) => ({ ok: true as const, value }),
    (err: unknown) => ({ ok: false as const, message: err instanceof Error ? err.message : String(err) }),
  );
}
