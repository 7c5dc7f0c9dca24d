/**
 * `tandem serve` as an operator starts it, in a child process: every port chosen by the system,
 * the output collected, and the addresses read off the banner once it is printed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");

/** The addresses the banner prints. */
export interface ServeUrls {
  readonly api: string;
  readonly identity: string;
  readonly dashboard: string;
}

export interface ServeProcess {
  readonly child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** The exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** Resolves once the banner is out; rejects if the process exits first or takes too long. */
  readonly ready: Promise<ServeUrls>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** `args` after `serve` (`--data …` and the like); the four ports are added as 0. */
export function startServe(args: readonly string[], env: Readonly<Record<string, string>> = {}): ServeProcess {
  const ports = ["--port", "--site-port", "--identity-port", "--dashboard-port"].flatMap((p) => [p, "0"]);
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(repoRoot, "packages/cli/src/bin.ts"), "serve", ...args, ...ports],
    { cwd: repoRoot, env: { ...process.env, TANDEM_LOG_LEVEL: "warn", ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const ready = (async () => {
    const deadline = Date.now() + 60_000;
    while (!/Publishable key/.test(output)) {
      if (Date.now() > deadline || child.exitCode !== null || child.signalCode !== null)
        throw new Error(`serve did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const field = (label: RegExp) => {
      const m = label.exec(output);
      if (!m) throw new Error(`serve printed no ${label.source}:\n${output}`);
      return m[1]!;
    };
    return {
      api: field(/Backend API \+ sync\s+(\S+)/),
      identity: field(/Identity \(issuer\)\s+(\S+)/),
      dashboard: field(/Dashboard\s+(\S+)/),
    };
  })();
  // A test that never awaits `ready` (it killed the process first) must not see an unhandled rejection.
  ready.catch(() => {});
  return {
    child,
    output: () => output,
    exited,
    ready,
    stop: () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
}
