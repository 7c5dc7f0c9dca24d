/** Tandem nodes on a shared Postgres as child processes (`pg-node-child.mjs`), for `kill -9` tests. */
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "./fixture.js";

const childScript = join(fileURLToPath(new URL(".", import.meta.url)), "pg-node-child.mjs");
const live = new Set<ChildProcess>();

export interface NodeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly adminKey: string;
  readonly nodeId: string;
}

export interface NodeProcessOptions {
  readonly url: string;
  readonly schema: string;
  readonly adminKey: string;
  readonly nodeLeaseMs?: number;
  readonly followPollMs?: number;
}

export async function startNodeProcess(o: NodeProcessOptions): Promise<NodeProcess> {
  const dataDir = await tempDir("pg-node-proc");
  const child = fork(childScript, [JSON.stringify({ ...o, dataDir })], {
    execArgv: [],
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  live.add(child);
  child.once("exit", () => live.delete(child));
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  return new Promise<NodeProcess>((resolve, reject) => {
    child.once("message", (m: { url: string; adminKey: string; nodeId: string }) => resolve({ child, ...m }));
    child.once("exit", (code, signal) =>
      reject(new Error(`node process exited (${code ?? signal}) before it was ready:\n${stderr}`)),
    );
  });
}

export function kill9(p: NodeProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    p.child.once("exit", () => resolve());
    p.child.kill("SIGKILL");
  });
}

/** For `after()` hooks: no node process outlives its test file. */
export function killAllNodeProcesses(): void {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
}
