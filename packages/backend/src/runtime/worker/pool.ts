/**
 * Function workers seen from the engine: a fixed number of threads, each running one job at a
 * time. A job that outlives the time limit (user code that never yields) gets its thread
 * terminated and replaced; everything else queued keeps going on the other threads.
 */
import { Worker } from "node:worker_threads";
import type { Logger } from "@tandem/shared";
import type { TableInfo } from "@tandem/storage";
import type { Deployment } from "../../engine/deployment.js";
import type { FromWorker, JobOutcome, RunJob, ToWorker, WorkerData } from "./protocol.js";
import { timeLimitMessage } from "../realm.js";

export interface JobResult {
  readonly out: JobOutcome;
  readonly readSet: Extract<FromWorker, { type: "done" }>["readSet"];
  readonly writes: Extract<FromWorker, { type: "done" }>["writes"];
}

interface Pending {
  readonly id: number;
  readonly job: RunJob;
  readonly resolve: (r: JobResult) => void;
}

interface Slot {
  worker: Worker;
  running: Pending | null;
  timer: NodeJS.Timeout | null;
}

export interface WorkerPoolOptions {
  readonly data: WorkerData;
  readonly count: number;
  /** Wall-clock limit of one job before its thread is replaced (user time limit + grace). */
  readonly jobTimeoutMs: number;
  readonly userLimitMs: number;
  readonly ensureTable: (name: string) => Promise<TableInfo>;
  readonly logger: Logger;
}

const here = new URL(".", import.meta.url);
const fromSource = import.meta.url.endsWith(".ts");

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
    // From TypeScript sources (tests run through tsx) the thread registers tsx before loading.
    const worker = fromSource
      ? new Worker(
          `import("tsx/esm/api").then((api) => { api.register(); return import(${JSON.stringify(new URL("./worker_main.ts", here).href)}); });`,
          { eval: true, workerData: this.#opts.data },
        )
      : new Worker(new URL("./worker_main.js", here), { workerData: this.#opts.data });
    const slot: Slot = existing ?? { worker, running: null, timer: null };
    slot.worker = worker;
    // Events of a thread that was already replaced are ignored.
    worker.on("message", (m: FromWorker) => {
      if (slot.worker === worker) this.#onMessage(slot, m);
    });
    worker.on("error", (e) => {
      if (slot.worker !== worker) return;
      this.#opts.logger.error("function worker failed", { error: e });
      this.#replace(slot, "The function worker failed while running this function.");
    });
    worker.on("exit", () => {
      if (!this.#closed && slot.worker === worker) this.#replace(slot, "The function worker exited.");
    });
    if (this.#deployment) worker.postMessage({ type: "deploy", deployment: this.#deployment } satisfies ToWorker);
    worker.postMessage({ type: "env", env: this.#env } satisfies ToWorker);
    worker.unref();
    return slot;
  }

  deploy(deployment: Deployment): void {
    this.#deployment = deployment;
    for (const s of this.#slots) s.worker.postMessage({ type: "deploy", deployment } satisfies ToWorker);
  }

  setEnvironment(env: Readonly<Record<string, string>>): void {
    this.#env = env;
    for (const s of this.#slots) s.worker.postMessage({ type: "env", env } satisfies ToWorker);
  }

  run(job: RunJob): Promise<JobResult> {
    return new Promise((resolve) => {
      this.#queue.push({ id: this.#nextId++, job, resolve });
      this.#dispatch();
    });
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (slot.running || this.#queue.length === 0) continue;
      const p = this.#queue.shift()!;
      slot.running = p;
      slot.timer = setTimeout(() => this.#replace(slot, timeLimitMessage(this.#opts.userLimitMs)), this.#opts.jobTimeoutMs);
      slot.worker.postMessage({ type: "run", id: p.id, job: p.job } satisfies ToWorker);
    }
  }

  #onMessage(slot: Slot, m: FromWorker): void {
    switch (m.type) {
      case "done": {
        const p = slot.running;
        if (!p || p.id !== m.id) return;
        if (slot.timer) clearTimeout(slot.timer);
        slot.running = null;
        slot.timer = null;
        p.resolve({ out: m.out, readSet: m.readSet, writes: m.writes });
        this.#dispatch();
        return;
      }
      case "request":
        this.#opts.ensureTable(m.table).then(
          (value) => slot.worker.postMessage({ type: "reply", id: m.id, ok: true, value } satisfies ToWorker),
          (e: Error) => slot.worker.postMessage({ type: "reply", id: m.id, ok: false, message: e.message } satisfies ToWorker),
        );
        return;
      default:
        return m satisfies never;
    }
  }

  /** Terminates a slot's thread, fails its job with `message`, and starts a fresh thread. */
  #replace(slot: Slot, message: string): void {
    if (this.#closed) return;
    const p = slot.running;
    if (slot.timer) clearTimeout(slot.timer);
    const old = slot.worker;
    this.#spawn(slot);
    slot.running = null;
    slot.timer = null;
    this.replaced += 1;
    void old.terminate();
    p?.resolve({ out: { ok: false, error: { message }, logLines: [], journal: null }, readSet: [], writes: [] });
    this.#dispatch();
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const s of this.#slots) {
      if (s.timer) clearTimeout(s.timer);
      s.running?.resolve({ out: { ok: false, error: { message: "The server is shutting down." }, logLines: [], journal: null }, readSet: [], writes: [] });
    }
    for (const p of this.#queue.splice(0))
      p.resolve({ out: { ok: false, error: { message: "The server is shutting down." }, logLines: [], journal: null }, readSet: [], writes: [] });
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}
