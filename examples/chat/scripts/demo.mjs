#!/usr/bin/env node
// `npm run demo`: runs `tandem dev` on this example app (embedded SQLite, default ports), waits
// until the backend is up and the app's functions are pushed, then bundles the React page in web/
// with esbuild and serves it at http://127.0.0.1:5173, with the identity service's Frontend API
// behind the same origin under /__identity. Ctrl-C stops the page server and `tandem dev`.
//
// Flags: --web-port N (5173), --web-host H (127.0.0.1), --app DIR (this example),
// --timeout SECONDS (180). Every other argument goes to `tandem dev` (e.g. --port 4000).
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { waitForApp } from "./lib/wait-for-app.mjs";
import { bundlePage, serveWeb } from "./lib/web-server.mjs";

const exampleDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoDir = resolve(exampleDir, "../..");
const cliBin = join(repoDir, "packages/cli/dist/bin.js");
const STOP_GRACE_MS = 10_000;

const log = (line) => console.log(`[demo] ${line}`);

function parseArgs(argv) {
  const options = { webPort: 5173, webHost: "127.0.0.1", appDir: exampleDir, timeoutMs: 180_000, devArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === "--web-port") options.webPort = Number(value());
    else if (arg === "--web-host") options.webHost = value();
    else if (arg === "--app") options.appDir = resolve(value());
    else if (arg === "--timeout") options.timeoutMs = Number(value()) * 1000;
    else options.devArgs.push(arg);
  }
  if (!Number.isInteger(options.webPort) || options.webPort < 0) throw new Error("--web-port must be a port number");
  return options;
}

function buildIfNeeded() {
  if (existsSync(cliBin)) return;
  log("building the repository (packages/cli/dist/bin.js is missing)…");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["run", "build"], { cwd: repoDir, stdio: "inherit" });
  if (result.status !== 0 || !existsSync(cliBin))
    throw new Error("`npm run build` did not produce packages/cli/dist/bin.js");
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  buildIfNeeded();

  const dev = spawn(process.execPath, [cliBin, "dev", "--dir", options.appDir, ...options.devArgs], {
    cwd: options.appDir,
    stdio: "inherit",
  });
  /** @type {{ kind: "running" } | { kind: "exited", reason: string }} */
  let devState = { kind: "running" };
  const devExited = new Promise((resolve) => {
    dev.once("exit", (code, signal) => {
      devState = { kind: "exited", reason: signal !== null ? `signal ${signal}` : `exit code ${code}` };
      resolve(code ?? 1);
    });
    dev.once("error", (error) => {
      devState = { kind: "exited", reason: error.message };
      resolve(1);
    });
  });

  let web = null;
  let stopping = false;
  const stop = async (exitCode) => {
    if (stopping) return;
    stopping = true;
    web?.server.closeAllConnections();
    web?.server.close();
    if (devState.kind === "running") {
      dev.kill("SIGTERM");
      const timer = setTimeout(() => dev.kill("SIGKILL"), STOP_GRACE_MS);
      await devExited;
      clearTimeout(timer);
    }
    process.exit(exitCode);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  void devExited.then((code) => {
    if (stopping) return;
    log(`tandem dev stopped (${devState.kind === "exited" ? devState.reason : "?"}); stopping the demo`);
    void stop(code === 0 ? 1 : code);
  });

  try {
    const app = await waitForApp({
      envPath: join(options.appDir, ".env.local"),
      timeoutMs: options.timeoutMs,
      stopped: () => (devState.kind === "exited" ? devState.reason : null),
      log,
    });
    const webDir = join(options.appDir, "web");
    const bundle = await bundlePage(webDir, { convexUrl: app.convexUrl });
    web = await serveWeb({
      webDir,
      bundle,
      identityUrl: app.identityUrl,
      identityKey: app.publishableKey,
      host: options.webHost,
      port: options.webPort,
    });
    log(`backend ${app.convexUrl}`);
    log(`identity ${app.identityUrl}`);
    log(`sign-in codes (development): ${app.identityUrl}/dev/inbox`);
    log(`chat is running at ${web.url} (Ctrl-C to stop)`);
  } catch (error) {
    if (stopping) return;
    console.error(`[demo] ${error instanceof Error ? error.message : String(error)}`);
    await stop(1);
  }
}

main().catch((error) => {
  console.error(`[demo] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
