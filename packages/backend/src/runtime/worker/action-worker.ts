/**
 * An action thread: runs actions concurrently, each in a fresh realm with `fetch` and timers.
 * `ctx.runQuery/runMutation/runAction` go back to the engine on the main thread. The thread sends
 * a heartbeat while its event loop turns; if an action blocks it, the engine replaces the thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import { LoadedDeployment } from "../loaded-deployment.js";
import { runFunction } from "../../engine/execute.js";
import type { EngineCallbacks } from "../syscalls.js";
import { setUpFunctionThread } from "./thread-setup.js";
import { runHttpAction } from "../../http-actions/run-http-action.js";
import type { HttpActionJob, HttpActionOutcome } from "../../http-actions/types.js";
import type {
  ActionJob,
  EngineCall,
  VectorSearchOutcome,
  FromActionWorker,
  ToActionWorker,
} from "./action-protocol.js";
import type { WorkerData } from "./protocol.js";

setUpFunctionThread();
const port = parentPort!;
const data = workerData as WorkerData;
let deployment: LoadedDeployment | null = null;
let env: Readonly<Record<string, string>> = {};
let nextCall = 1;
const calls = new Map<number, (result: unknown) => void>();
const send = (m: FromActionWorker) => port.postMessage(m);

setInterval(() => send({ type: "heartbeat" }), 250);

function call<T>(c: EngineCall): Promise<T> {
  const id = nextCall++;
  return new Promise<T>((resolve) => {
    calls.set(id, resolve as (r: unknown) => void);
    send({ type: "call", id, ...c });
  });
}

const engine: EngineCallbacks = {
  runQuery: (req) => call({ method: "runQuery", req }),
  runMutation: (req) => call({ method: "runMutation", req }),
  runAction: (req) => call({ method: "runAction", req }),
  vectorSearch: async (req) => {
    const r = await call<VectorSearchOutcome>({ method: "vectorSearch", req });
    if (!r.ok) throw new Error(r.message);
    return r.value;
  },
  storage: (c) => call({ method: "storage", call: c }),
};

port.on("message", (m: ToActionWorker) => {
  switch (m.type) {
    case "deploy":
      deployment = new LoadedDeployment(m.deployment);
      return;
    case "env":
      env = m.env;
      for (const k of Object.keys(process.env)) delete process.env[k];
      Object.assign(process.env, m.env);
      return;
    case "run":
      void run(m.id, m.job);
      return;
    case "http":
      void runHttp(m.id, m.job, m.body);
      return;
    case "callResult": {
      const resolve = calls.get(m.id);
      calls.delete(m.id);
      resolve?.(m.result);
      return;
    }
    default:
      return m satisfies never;
  }
});

async function run(id: number, job: ActionJob): Promise<void> {
  const dep = deployment;
  if (!dep) {
    send({
      type: "done",
      id,
      out: { ok: false, error: { message: "No functions have been pushed yet." }, logLines: [], journal: null },
    });
    return;
  }
  try {
    const out = await runFunction({
      deployment: dep,
      path: job.path,
      kind: "action",
      args: job.args,
      identity: job.identity,
      tx: null,
      env,
      check: () => {},
      engine,
      deploymentName: data.deploymentName,
      component: job.component ?? "",
      resolveNested: (k, p, _a, caller) => dep.resolveCall(p, caller, k),
    });
    send({ type: "done", id, out });
  } catch (e) {
    send({
      type: "done",
      id,
      out: { ok: false, error: { message: e instanceof Error ? e.message : String(e) }, logLines: [], journal: null },
    });
  }
}

async function runHttp(id: number, job: HttpActionJob, body: ReadableStream<Uint8Array> | null): Promise<void> {
  const dep = deployment;
  let out: HttpActionOutcome;
  if (!dep) out = { kind: "notFound", logLines: [] };
  else {
    try {
      out = await runHttpAction({
        deployment: dep,
        request: { ...job, body },
        env,
        engine,
        deploymentName: data.deploymentName,
      });
    } catch (e) {
      out = { kind: "error", error: { message: e instanceof Error ? e.message : String(e) }, logLines: [] };
    }
  }
  const transfer = out.kind === "response" && out.body ? [out.body] : [];
  port.postMessage({ type: "httpDone", id, out } satisfies FromActionWorker, transfer as never);
}
