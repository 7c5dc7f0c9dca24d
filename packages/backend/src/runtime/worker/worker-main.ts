/**
 * A function worker: runs queries and mutations of the live deployment one at a time against its
 * own read-only connection to the store. Mutations return their writes; the main thread commits
 * them. If user code never yields, the main thread terminates this thread and starts another.
 */
import { parentPort, workerData } from "node:worker_threads";
import { decodeId, openStorage, type Storage, type TableInfo } from "@tandem/storage";
import { backendError } from "../../errors.js";
import { silentLogger } from "@tandem/shared";
import type { ValidationContext } from "../../values/index.js";
import { checkArguments, checkArgsMatch, checkReturnValue } from "../function-checks.js";
import { Transaction } from "../../transactions/transaction.js";
import type { Catalog } from "../../transactions/catalog.js";
import { LoadedDeployment } from "../loaded-deployment.js";
import { displayPath } from "../paths.js";
import { makeDocumentCheck } from "../document-check.js";
import { runFunction } from "../../engine/execute.js";
import { valueText } from "../../engine/text-outcome.js";
import { setUpFunctionThread } from "./thread-setup.js";
import { decodeJob, encodeDone, type DoneWire } from "./job-wire.js";
import type { DocumentCheck } from "../db-ops.js";
import { SearchIndexes } from "../../search/search-indexes.js";
import { fileAccessFrom } from "../../files/index.js";
import { NO_PREPARED_WRITES, type FromWorker, type RunJob, type ToWorker, type WorkerData } from "./protocol.js";

setUpFunctionThread();
const port = parentPort!;
const data = workerData as WorkerData;
const storageReady: Promise<Storage> = openStorage(data.storage, { readonly: true });
let deployment: LoadedDeployment | null = null;
let check: DocumentCheck = () => {};
let env: Readonly<Record<string, string>> = {};
let catalogVersion = -1;
let nextRpc = 1;
const rpcs = new Map<number, { resolve: (t: TableInfo) => void; reject: (e: Error) => void }>();
let queue: Promise<void> = Promise.resolve();
/** This thread's own copy of the text indexes, kept current by `searchDirty` messages. */
let search: SearchIndexes | null = null;
const files = data.files ? fileAccessFrom(data.files) : null;

const send = (m: FromWorker) => port.postMessage(m);

/**
 * Results go back in batches: jobs run back to back on the microtask queue, so everything that
 * finishes before the thread next turns its event loop shares one message.
 */
let results: DoneWire[] = [];
/** Jobs received and not yet finished: the last one's result leaves at once, with any batched. */
let unfinished = 0;
function finished(done: DoneWire): void {
  unfinished -= 1;
  if (unfinished === 0) {
    results.push(done);
    flushResults();
    return;
  }
  if (results.length === 0) setImmediate(flushResults);
  results.push(done);
}
function flushResults(): void {
  const items = results;
  results = [];
  if (items.length > 0) send({ type: "done", items });
}

port.on("message", (m: ToWorker) => {
  switch (m.type) {
    case "deploy":
      queue = queue.then(async () => {
        const storage = await storageReady;
        deployment = new LoadedDeployment(m.deployment);
        (search ??= new SearchIndexes(storage, silentLogger, { commitNotices: false, textOnly: true })).setSchema(
          m.deployment.analysis.schema,
        );
        check = makeDocumentCheck(m.deployment.analysis, validationContext(storage));
        warm(deployment);
        send({ type: "ready" });
      });
      return;
    case "searchDirty":
      search?.noteDirty(m.table, m.ids);
      return;
    case "env":
      env = m.env;
      return;
    case "run":
      unfinished += m.ids.length;
      for (let i = 0; i < m.ids.length; i++) {
        const id = m.ids[i]!;
        const job = decodeJob(m.jobs[i]!);
        queue = queue.then(() => run(id, job));
      }
      return;
    case "reply": {
      const r = rpcs.get(m.id);
      rpcs.delete(m.id);
      if (m.ok) r?.resolve(m.value);
      else r?.reject(backendError("BadRequest", "TableCreationFailed", m.message));
      return;
    }
    default:
      return m satisfies never;
  }
});

/** Evaluates every function module now, so the first job is not charged for loading code. */
function warm(dep: LoadedDeployment): void {
  const { graph } = dep.udfRealm();
  for (const m of dep.deployment.analysis.modules) {
    try {
      graph.require(m.path);
    } catch {
      // The error surfaces again, with context, when a function of that module runs.
    }
  }
}

function validationContext(storage: Storage): ValidationContext {
  return { tableNumberToName: (n) => storage.tableByNumber(n as never)?.name, decodeId: (id) => decodeId(id) };
}

function catalogOf(storage: Storage): Catalog {
  return {
    tables: () => storage.tables(),
    tableByNumber: (n) => storage.tableByNumber(n),
    indexes: (t) => storage.indexes(t),
    newId: (t) => storage.newId(t),
    ...(search ? { search } : {}),
    async ensureTable(name) {
      const known = storage.tables().find((t) => t.name === name);
      if (known) return known;
      const id = nextRpc++;
      const info = await new Promise<TableInfo>((resolve, reject) => {
        rpcs.set(id, { resolve, reject });
        send({ type: "request", id, method: "ensureTable", table: name });
      });
      await storage.reload();
      return info;
    },
  };
}

function missingFunction(job: RunJob): never {
  throw backendError("BadRequest", "FunctionNotFound", `Could not find function for '${displayPath(job.path)}'.`);
}

const unavailable = async (): Promise<never> => {
  throw new Error("Queries and mutations can't call actions.");
};

async function run(id: number, job: RunJob): Promise<void> {
  const storage = await storageReady;
  try {
    if (!deployment) throw backendError("BadRequest", "NoDeployment", "No functions have been pushed yet.");
    if (job.catalogVersion !== catalogVersion) {
      await storage.reload();
      catalogVersion = job.catalogVersion;
    }
    const dep = deployment;
    const ctx = validationContext(storage);
    // Arguments and return values are checked here rather than on the main thread, which every
    // request passes through.
    const meta = dep.metaOf(job.path, job.component ?? "") ?? missingFunction(job);
    checkArguments(meta, job.args, ctx);
    // The main thread runs the job at a head it committed or read: no head read to check it here.
    const tx = new Transaction(storage.snapshot(job.ts, true), catalogOf(storage), {
      readOnly: job.kind === "query",
      beginMs: job.beginMs,
    });
    const ran = await runFunction({
      deployment: dep,
      path: job.path,
      kind: job.kind,
      args: job.args,
      identity: job.identity,
      tx,
      env,
      check,
      engine: { runQuery: unavailable, runMutation: unavailable, runAction: unavailable },
      deploymentName: data.deploymentName,
      journal: job.journal,
      files,
      signingKey: data.signingKey,
      component: job.component ?? "",
      keepText: true,
      resolveNested: (k, p, a, caller) => {
        const target = dep.resolveCall(p, caller, k);
        checkArgsMatch(target.meta, a, ctx);
        return target;
      },
    });
    const checked = checkReturnValue(meta, ran, ctx);
    // The value crosses as its text (kept by `keepText`); the main thread parses it if it must.
    const json = checked.ok ? (valueText(checked) ?? JSON.stringify(checked.value)) : "";
    // Serialized and keyed here, so the main thread's commit is only a write.
    const prepared = checked.ok && tx.hasWrites() ? await storage.prepare(tx.writes()) : NO_PREPARED_WRITES;
    finished(encodeDone(id, checked, json, tx.readSet, prepared, tx.observedTime));
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    finished(
      encodeDone(id, { ok: false, error: { message }, logLines: [], journal: null }, "", [], NO_PREPARED_WRITES),
    );
  }
}
