// End to end: `scripts/demo.mjs` runs `tandem dev` on a copy of this app, serves the page, and the
// official ConvexClient (over `ws`) sees a sent message arrive live; Ctrl-C stops everything.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { cp, mkdtemp, rm, symlink } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConvexClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { JSDOM } from "jsdom";
import WebSocket from "ws";

const exampleDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoDir = resolve(exampleDir, "../..");
const READY_TIMEOUT_MS = 45_000;

interface Message {
  author: string;
  body: string;
}
const listMessages = makeFunctionReference<"query", Record<string, never>, Message[]>("messages:list");
const sendMessage = makeFunctionReference<"mutation", { body: string; author?: string }, null>("messages:send");

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === "object");
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

/** A private copy of the app, so the test never touches examples/chat/.tandem or .env.local. */
async function copyApp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "tandem-chat-"));
  for (const part of ["convex", "web", "package.json"]) {
    await cp(join(exampleDir, part), join(dir, part), {
      recursive: true,
      filter: (src) => !src.includes("_generated"),
    });
  }
  // `npx convex` in the copy must find the repo's pinned convex package.
  await symlink(join(repoDir, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

/** Collects the child's output and resolves when `pattern` matches it (or rejects on exit). */
function waitForOutput(child: ChildProcess, output: () => string, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const match = pattern.exec(output());
      if (match !== null) finish(() => resolve(match));
    };
    const onExit = (code: number | null, signal: string | null): void =>
      finish(() => reject(new Error(`demo exited (${signal ?? code}) before printing ${pattern}\n${output()}`)));
    const timer = setTimeout(
      () => finish(() => reject(new Error(`demo did not print ${pattern} within ${timeoutMs} ms\n${output()}`))),
      timeoutMs,
    );
    const finish = (then: () => void): void => {
      clearTimeout(timer);
      child.stdout?.off("data", check);
      child.off("exit", onExit);
      then();
    };
    child.stdout?.on("data", check);
    child.once("exit", onExit);
    check();
  });
}

function exitOf(child: ChildProcess, timeoutMs: number): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not exit within ${timeoutMs} ms`)), timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

async function refusesConnections(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch {
    return true;
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function groupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pgid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

test("npm run demo serves the chat page and a live message round-trips", { timeout: 90_000 }, async (t) => {
  const appDir = await copyApp();
  const [webPort, port, sitePort, identityPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  let output = "";
  const demo = spawn(
    process.execPath,
    [
      join(exampleDir, "scripts/demo.mjs"),
      "--app", appDir,
      "--web-port", String(webPort),
      "--timeout", String(READY_TIMEOUT_MS / 1000),
      "--port", String(port),
      "--site-port", String(sitePort),
      "--identity-port", String(identityPort),
    ],
    // Its own process group, so the test can tell whether anything it started outlives it.
    { cwd: repoDir, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  demo.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  demo.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  let client: ConvexClient | null = null;
  t.after(async () => {
    await client?.close();
    if (demo.exitCode === null && demo.signalCode === null) {
      demo.kill("SIGINT");
      await exitOf(demo, 15_000).catch(() => undefined);
    }
    // Whatever survived a failed run (tandem dev, the convex CLI) would hold our pipes open.
    if (groupAlive(demo.pid!)) process.kill(-demo.pid!, "SIGKILL");
    demo.stdout.destroy();
    demo.stderr.destroy();
    await rm(appDir, { recursive: true, force: true });
  });

  const ready = await waitForOutput(demo, () => output, /\[demo\] chat is running at (http:\/\/\S+)/, READY_TIMEOUT_MS + 15_000);
  const pageUrl = ready[1]!;
  assert.equal(pageUrl, `http://127.0.0.1:${webPort}`);
  const backendMatch = /\[demo\] backend (http:\/\/\S+)/.exec(output);
  assert.ok(backendMatch !== null, output);
  const backendUrl = backendMatch[1]!;
  assert.equal(backendUrl, `http://127.0.0.1:${port}`, "the backend listens on the --port the demo passed on");

  // The page and its bundle are served, with the backend URL baked in.
  const page = await fetch(pageUrl);
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type") ?? "", /text\/html/);
  const html = await page.text();
  assert.match(html, /<script type="module" src="\/main\.js"><\/script>/);
  assert.match(html, /<form id="send">/);
  const bundle = await fetch(`${pageUrl}/main.js`);
  assert.equal(bundle.status, 200);
  assert.match(bundle.headers.get("content-type") ?? "", /javascript/);
  const script = await bundle.text();
  assert.ok(script.includes(JSON.stringify(backendUrl)), "the bundle carries the backend URL from .env.local");
  assert.ok(script.includes("messages:list") && script.includes("messages:send"));
  assert.ok(!script.includes("import.meta.env"), "VITE_CONVEX_URL was replaced");
  assert.equal((await fetch(`${pageUrl}/nope`)).status, 404);

  // The official client sees a sent message arrive on its live subscription.
  client = new ConvexClient(backendUrl, { webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket });
  const updates: Message[][] = [];
  let notify: (() => void) | null = null;
  client.onUpdate(listMessages, {}, (messages) => {
    updates.push(messages);
    notify?.();
  });
  const until = (predicate: (messages: Message[]) => boolean): Promise<Message[]> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching update; saw ${JSON.stringify(updates)}`)), 15_000);
      notify = () => {
        const last = updates.at(-1);
        if (last !== undefined && predicate(last)) {
          clearTimeout(timer);
          notify = null;
          resolve(last);
        }
      };
      notify();
    });
  assert.deepEqual(await until(() => true), [], "a fresh app starts with no messages");
  await client.mutation(sendMessage, { body: "hello from the test", author: "Ada" });
  const afterFirst = await until((messages) => messages.length === 1);
  assert.deepEqual(afterFirst.map(({ author, body }) => ({ author, body })), [{ author: "Ada", body: "hello from the test" }]);
  await client.mutation(sendMessage, { body: "who am I?" });
  const afterSecond = await until((messages) => messages.length === 2);
  assert.deepEqual(afterSecond.map((m) => `${m.author}: ${m.body}`), ["Ada: hello from the test", "Anonymous: who am I?"]);

  // The page itself, run in jsdom (its WebSocket is `ws`): it renders the live list, and a message
  // sent from its form reaches the Node client.
  const dom = new JSDOM(html, { url: pageUrl, runScripts: "outside-only" });
  t.after(() => dom.window.close());
  const doc = dom.window.document;
  const rendered = (): string[] => [...doc.querySelectorAll("#messages li")].map((li) => li.textContent ?? "");
  const pageShows = async (count: number): Promise<void> => {
    const deadline = Date.now() + 15_000;
    while (rendered().length !== count) {
      if (Date.now() > deadline) throw new Error(`page shows ${JSON.stringify(rendered())}; status ${doc.getElementById("status")?.textContent}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  dom.window.eval(script);
  await pageShows(2);
  assert.deepEqual(rendered(), ["Adahello from the test", "Anonymouswho am I?"]);
  assert.equal(doc.getElementById("status")?.textContent, "Live · 2 messages");
  (doc.getElementById("author") as HTMLInputElement).value = "Grace";
  (doc.getElementById("body") as HTMLInputElement).value = "typed in the page";
  (doc.getElementById("send") as HTMLFormElement).requestSubmit();
  const afterPage = await until((messages) => messages.length === 3);
  assert.deepEqual(afterPage.at(-1) && { author: afterPage.at(-1)!.author, body: afterPage.at(-1)!.body }, { author: "Grace", body: "typed in the page" });
  await pageShows(3);
  assert.equal((doc.getElementById("body") as HTMLInputElement).value, "", "the form clears after sending");
  dom.window.close();
  await client.close();
  client = null;

  // Ctrl-C stops the demo, the page server and the backend.
  demo.kill("SIGINT");
  const exit = await exitOf(demo, 20_000);
  assert.deepEqual(exit, { code: 0, signal: null }, output);
  assert.ok(await refusesConnections(pageUrl), "the page server is closed");
  assert.ok(await refusesConnections(`${backendUrl}/version`), "the backend is stopped");
  assert.ok(await groupGone(demo.pid!, 5_000), "tandem dev and the convex CLI it drove have exited too");
});
