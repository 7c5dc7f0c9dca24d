/** Starts `crash-child.mjs` on a data folder and kills it with SIGKILL; restarts keep the port. */
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const childScript = join(fileURLToPath(new URL(".", import.meta.url)), "crash-child.mjs");

export interface BackendProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly adminKey: string;
  readonly port: number;
}

const live = new Set<ChildProcess>();

function spawnBackend(dataDir: string, port: number): { child: ChildProcess; ready: Promise<BackendProcess> } {
  const child = fork(childScript, [dataDir, String(port)], {
    execArgv: [],
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  live.add(child);
  child.once("exit", () => live.delete(child));
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const ready = new Promise<BackendProcess>((resolve, reject) => {
    child.once("message", (m: { url: string; adminKey: string }) =>
      resolve({ child, ...m, port: Number(new URL(m.url).port) }),
    );
    child.once("exit", (code, signal) =>
      reject(new Error(`backend process exited (${code ?? signal}) before it was ready:\n${stderr}`)),
    );
  });
  return { child, ready };
}

const startOnce = (dataDir: string, port: number) => spawnBackend(dataDir, port).ready;

/**
 * Starts a backend on the data folder and `kill -9`s it `afterMs` later, ready or not: a crash
 * in the middle of recovery. Says whether it had become ready.
 */
export async function startAndKill(dataDir: string, port: number, afterMs: number): Promise<boolean> {
  const { child, ready } = spawnBackend(dataDir, port);
  let wasReady = false;
  ready.then(
    () => (wasReady = true),
    () => {},
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await Promise.race([new Promise((r) => setTimeout(r, afterMs)), exited]);
  child.kill("SIGKILL");
  await exited;
  return wasReady;
}

/**
 * Port 0 the first time; the same port after. The port was ours until the kill, but another
 * process may grab it in between: then a few retries, and a clear error if it stays taken.
 */
export async function startBackendProcess(dataDir: string, port = 0): Promise<BackendProcess> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await startOnce(dataDir, port);
    } catch (e) {
      if (port === 0 || attempt >= 20 || !/EADDRINUSE/.test(String(e))) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export function kill9(p: BackendProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    p.child.once("exit", () => resolve());
    p.child.kill("SIGKILL");
  });
}

/** For `after()` hooks: no backend process outlives its test. */
export function killAllBackendProcesses(): void {
  for (const c of live) c.kill("SIGKILL");
}
