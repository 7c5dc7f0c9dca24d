/**
 * File storage benchmarks (issue 16), each beside a same-run ceiling (DESIGN.md §6):
 * - upload MB/s: 1 MiB bodies POSTed to a `generateUploadUrl()` URL (Tandem streams each to disk,
 *   hashes it with SHA-256 and commits its `_storage` row) vs a bare `node:http` server streaming
 *   each body into a file and hashing it (the same work; for reference, also without the hash);
 * - download MB/s: GETs of a 1 MiB file's `getUrl()` URL (Tandem looks the row up, then streams
 *   the file with type, length and ETag) vs the bare server streaming the same-size file.
 *
 * Each server runs in its own child process (this file with `FILES_BENCH_ROLE`); the load
 * generator is this process (`node:http` keep-alive agent). The two servers are measured in
 * alternating rounds; each side's server CPU time per request (every thread, from /proc) is printed
 * too, a figure the machine's load moves far less than MB/s. Knobs: FILES_BENCH_SECONDS=6 (per server and row), FILES_BENCH_ROUNDS=6,
 * FILES_BENCH_CONCURRENCY=8, FILES_BENCH_SIZE=1048576 (bytes per file), FILES_BENCH_SERVER_FLAGS="--cpu-prof"
 * (node flags for the Tandem server's process).
 */
import { fork, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, readFileSync } from "node:fs";
import { mkdtemp, mkdir, rm, stat, symlink, writeFile } from "node:fs/promises";
import { Agent, createServer, request, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import type { BenchRow } from "./report.js";

const SECONDS = Number(process.env.FILES_BENCH_SECONDS ?? 6);
const ROUNDS = Number(process.env.FILES_BENCH_ROUNDS ?? 6);
const CONCURRENCY = Number(process.env.FILES_BENCH_CONCURRENCY ?? 8);
const SIZE = Number(process.env.FILES_BENCH_SIZE ?? 1024 * 1024);
const ADMIN_KEY = "bench|files-admin-key";
const SERVER_FLAGS = (process.env.FILES_BENCH_SERVER_FLAGS ?? "").split(" ").filter(Boolean);
const repoRoot = join(fileURLToPath(import.meta.url), "..", "..");

// ---- servers (child processes) ---------------------------------------------------------------

async function tandemRole(dataDir: string): Promise<void> {
  const { startBackend } = await import("@tandem/backend");
  const { silentLogger } = await import("@tandem/shared");
  const b = await startBackend({ dataDir, port: 0, sitePort: 0, adminKey: ADMIN_KEY, logger: silentLogger });
  process.on("SIGTERM", () => void b.close().finally(() => process.exit(0)));
  process.send!({ url: b.url });
}

/** The thinnest honest file server: bodies streamed into numbered files, files streamed back. */
async function bareRole(dir: string): Promise<void> {
  let next = 0;
  const server = createServer((req, res) => {
    const fail = (e: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(e));
    };
    if (req.method === "POST") {
      const id = String(next++);
      // `/upload-sha256` also hashes the body, the one piece of work `_storage` rows need on top.
      const hash = req.url === "/upload-sha256" ? createHash("sha256") : null;
      const steps = hash
        ? [
            req,
            new Transform({ transform: (c: Buffer, _e, done) => done(null, (hash.update(c), c)) }),
            createWriteStream(join(dir, id)),
          ]
        : [req, createWriteStream(join(dir, id))];
      pipeline(steps)
        .then(() => {
          const out = JSON.stringify({ storageId: id });
          res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(out) });
          res.end(out);
        })
        .catch(fail);
      return;
    }
    const path = join(dir, String(Number(req.url!.slice(1))));
    stat(path)
      .then((s) => {
        res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": s.size });
        return pipeline(createReadStream(path), res);
      })
      .catch(fail);
  });
  server.listen(0, "127.0.0.1", () =>
    process.send!({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
  );
}

function startChild(role: "tandem" | "bare", dir: string): Promise<{ url: string; child: ChildProcess }> {
  const execArgv = role === "tandem" ? [...process.execArgv, ...SERVER_FLAGS] : process.execArgv;
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, FILES_BENCH_ROLE: role, FILES_BENCH_DIR: dir },
    execArgv,
    stdio: "inherit",
  });
  return new Promise((resolve, reject) => {
    child.once("message", (m: { url: string }) => resolve({ url: m.url, child }));
    child.once("exit", (code) => reject(new Error(`${role} server exited with ${code}`)));
  });
}

// ---- the app pushed to Tandem ----------------------------------------------------------------

const APP = {
  "convex/files.ts": `import { mutation, query } from "./_generated/server";
import { v } from "convex/values";
export const generateUploadUrl = mutation({ args: {}, handler: (ctx) => ctx.storage.generateUploadUrl() });
export const getUrl = query({ args: { storageId: v.id("_storage") }, handler: (ctx, { storageId }) => ctx.storage.getUrl(storageId) });`,
  "package.json": `{"name":"bench-files-app","private":true,"type":"module","dependencies":{"convex":"1.48.0"}}`,
};

export async function pushApp(url: string): Promise<void> {
  const dir = join(await mkdtemp(join(tmpdir(), "tandem-bench-app-")), "app");
  await mkdir(join(dir, "convex"), { recursive: true });
  await mkdir(join(dir, "node_modules"));
  await symlink(join(repoRoot, "node_modules", "convex"), join(dir, "node_modules", "convex"), "dir");
  for (const [p, text] of Object.entries(APP)) await writeFile(join(dir, p), text);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CONVEX_SELF_HOSTED_URL: url,
    CONVEX_SELF_HOSTED_ADMIN_KEY: ADMIN_KEY,
    CI: "1",
  };
  delete env.CONVEX_DEPLOYMENT;
  const r = spawnSync(
    process.execPath,
    [join(dir, "node_modules/convex/bin/main.js"), "dev", "--once", "--typecheck", "disable"],
    { cwd: dir, env, encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`push failed:\n${r.stdout}${r.stderr}`);
}

// ---- load generator --------------------------------------------------------------------------

function send(
  agent: Agent,
  url: URL,
  method: "GET" | "POST",
  body: Buffer | null,
): Promise<{ status: number; bytes: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = body
      ? { "Content-Type": "application/octet-stream", "Content-Length": String(body.length) }
      : {};
    const req = request(url, { method, agent, headers });
    req.on("response", (res: IncomingMessage) => {
      let bytes = 0;
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => {
        bytes += d.length;
        if (method === "POST") chunks.push(d);
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, bytes, text: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end(body ?? undefined);
  });
}

async function callFunction(server: string, kind: "mutation" | "query", path: string, args: object): Promise<unknown> {
  const r = await fetch(`${server}/api/${kind}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ path, format: "json", args: [args] }),
  });
  const j = (await r.json()) as { status: string; value: unknown; errorMessage?: string };
  if (j.status !== "success") throw new Error(j.errorMessage);
  return j.value;
}

/** CPU seconds (user + system, every thread) a process has used so far (Linux /proc). */
function processCpu(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * MB/s (10^6 bytes) moved over `seconds` by CONCURRENCY loops, after a short warm-up, and the
 * CPU time the serving process spent meanwhile (a figure the machine's load moves far less).
 */
async function window(
  url: URL,
  method: "GET" | "POST",
  body: Buffer | null,
  seconds: number,
  pid: number,
): Promise<{ bytes: number; seconds: number; requests: number; cpu: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let moved = 0;
  let requests = 0;
  let measuring = false;
  let stop = false;
  let failed: Error | null = null;
  const loop = async () => {
    while (!stop && !failed) {
      const r = await send(agent, url, method, body).catch((e: Error) => ((failed = e), null));
      if (r && r.status !== 200) failed ??= new Error(`${method} ${url.pathname}: ${r.status} ${r.text.slice(0, 200)}`);
      if (r && measuring) {
        moved += method === "POST" ? SIZE : r.bytes;
        requests += 1;
      }
    }
  };
  const loops = Array.from({ length: CONCURRENCY }, loop);
  await new Promise((r) => setTimeout(r, 300));
  measuring = true;
  const cpu0 = processCpu(pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = processCpu(pid) - cpu0;
  const counted = moved;
  const countedRequests = requests;
  stop = true;
  await Promise.all(loops);
  agent.destroy();
  if (failed) throw failed;
  return { bytes: counted, seconds: elapsed, requests: countedRequests, cpu };
}

/**
 * Every target in alternating rounds, so all figures of a ratio see the same machine speed: MB/s
 * and the serving process's CPU milliseconds per request.
 */
async function alternate(
  targets: ReadonlyArray<{ url: URL; pid: number }>,
  method: "GET" | "POST",
  body: Buffer | null,
): Promise<Array<{ mbs: number; cpuMs: number }>> {
  const acc = targets.map(() => ({ bytes: 0, seconds: 0, requests: 0, cpu: 0 }));
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < targets.length; i++) {
      const w = await window(targets[i]!.url, method, body, SECONDS / ROUNDS, targets[i]!.pid);
      acc[i]!.bytes += w.bytes;
      acc[i]!.seconds += w.seconds;
      acc[i]!.requests += w.requests;
      acc[i]!.cpu += w.cpu;
    }
  }
  return acc.map((a) => ({ mbs: a.bytes / a.seconds / 1e6, cpuMs: (a.cpu * 1000) / Math.max(1, a.requests) }));
}

export default async function filesBench(): Promise<BenchRow[]> {
  const tandemDir = await mkdtemp(join(tmpdir(), "tandem-bench-files-"));
  const bareDir = await mkdtemp(join(tmpdir(), "tandem-bench-files-bare-"));
  const tandem = await startChild("tandem", tandemDir);
  const bare = await startChild("bare", bareDir);
  try {
    await pushApp(tandem.url);
    const body = randomBytes(SIZE);
    // One upload URL serves every upload: as on Convex, it is valid until it expires.
    const uploadUrl = new URL((await callFunction(tandem.url, "mutation", "files:generateUploadUrl", {})) as string);
    const tandemPid = tandem.child.pid!;
    const barePid = bare.child.pid!;
    const [tandemUp, bareUp, bareHashedUp] = await alternate(
      [
        { url: uploadUrl, pid: tandemPid },
        { url: new URL("/upload", bare.url), pid: barePid },
        { url: new URL("/upload-sha256", bare.url), pid: barePid },
      ],
      "POST",
      body,
    );
    const first = await send(new Agent(), uploadUrl, "POST", body);
    const { storageId } = JSON.parse(first.text) as { storageId: string };
    const fileUrl = new URL((await callFunction(tandem.url, "query", "files:getUrl", { storageId })) as string);
    const bareFirst = JSON.parse((await send(new Agent(), new URL("/upload", bare.url), "POST", body)).text) as {
      storageId: string;
    };
    const [tandemDown, bareDown] = await alternate(
      [
        { url: fileUrl, pid: tandemPid },
        { url: new URL(`/${bareFirst.storageId}`, bare.url), pid: barePid },
      ],
      "GET",
      null,
    );
    const cpu = (t: { cpuMs: number }) => `${t.cpuMs.toFixed(2)} ms CPU/request`;
    console.log(
      `  server CPU per request: upload Tandem ${cpu(tandemUp!)}, bare ${cpu(bareUp!)}, bare+SHA-256 ${cpu(bareHashedUp!)}; ` +
        `download Tandem ${cpu(tandemDown!)}, bare ${cpu(bareDown!)}; load average ${loadavg()
          .map((l) => l.toFixed(1))
          .join(" ")}`,
    );
    const size = SIZE >= 1024 * 1024 ? `${SIZE / 1024 / 1024} MiB` : `${SIZE / 1024} KiB`;
    return [
      {
        // The same work (DESIGN.md §6): every stored file's SHA-256 is in its `_storage` row, as on
        // Convex, so the ceiling hashes each body too.
        name: `file upload to a generateUploadUrl() URL (${size} bodies, ${CONCURRENCY} in flight; stored, SHA-256, _storage row committed)`,
        value: tandemUp!.mbs,
        unit: "MB/s",
        ceiling: {
          name: "bare node:http hashing (SHA-256) and streaming each body into a file",
          value: bareHashedUp!.mbs,
        },
        targetKey: "file-upload",
      },
      {
        name: "the same upload figure, for reference",
        value: tandemUp!.mbs,
        unit: "MB/s",
        ceiling: { name: "bare node:http streaming each body into a file, no hash", value: bareUp!.mbs },
      },
      {
        name: `file download from a getUrl() URL (${size}, ${CONCURRENCY} in flight; row lookup, type, length, ETag)`,
        value: tandemDown!.mbs,
        unit: "MB/s",
        ceiling: { name: "bare node:http streaming the file", value: bareDown!.mbs },
        targetKey: "file-download",
      },
    ];
  } finally {
    tandem.child.kill();
    bare.child.kill();
    await Promise.all([rm(tandemDir, { recursive: true, force: true }), rm(bareDir, { recursive: true, force: true })]);
  }
}

const role = process.env.FILES_BENCH_ROLE;
if (role === "tandem") await tandemRole(process.env.FILES_BENCH_DIR!);
else if (role === "bare") await bareRole(process.env.FILES_BENCH_DIR!);
