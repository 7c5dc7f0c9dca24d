// End to end: `scripts/demo.mjs` runs `tandem dev` on a copy of this app and serves the React page
// with the identity service behind its origin; the official ConvexClient (over `ws`) sees a sent
// message arrive live; Ctrl-C stops everything. test/e2e/chat.test.ts drives the page in Chromium.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConvexClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import WebSocket from "ws";
import { copyApp, freePort } from "../../../test/e2e/support/demo.js";

const exampleDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoDir = resolve(exampleDir, "../..");
const READY_TIMEOUT_MS = 45_000;

interface Message {
  author: string;
  body: string;
}
const listMessages = makeFunctionReference<"query", Record<string, never>, Message[]>("messages:list");
const sendMessage = makeFunctionReference<"mutation", { body: string; author?: string }, null>("messages:send");

/** Collects the child's output and resolves when `pattern` matches it (or rejects on exit). */
function waitForOutput(
  child: ChildProcess,
  output: () => string,
  pattern: RegExp,
  timeoutMs: number,
): Promise<RegExpMatchArray> {
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

test(
  "npm run demo serves the React chat page, the identity proxy, and a live message round-trips",
  { timeout: 90_000 },
  async (t) => {
    const appDir = await copyApp();
    const [webPort, port, sitePort, identityPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    let output = "";
    const demo = spawn(
      process.execPath,
      [
        join(exampleDir, "scripts/demo.mjs"),
        "--app",
        appDir,
        "--web-port",
        String(webPort),
        "--timeout",
        String(READY_TIMEOUT_MS / 1000),
        "--port",
        String(port),
        "--site-port",
        String(sitePort),
        "--identity-port",
        String(identityPort),
        "--dashboard-port",
        "0",
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

    const ready = await waitForOutput(
      demo,
      () => output,
      /\[demo\] chat is running at (http:\/\/\S+)/,
      READY_TIMEOUT_MS + 15_000,
    );
    const pageUrl = ready[1]!;
    assert.equal(pageUrl, `http://127.0.0.1:${webPort}`);
    const backendMatch = /\[demo\] backend (http:\/\/\S+)/.exec(output);
    assert.ok(backendMatch !== null, output);
    const backendUrl = backendMatch[1]!;
    assert.equal(backendUrl, `http://127.0.0.1:${port}`, "the backend listens on the --port the demo passed on");

    const identityMatch = /\[demo\] identity (http:\/\/\S+)/.exec(output);
    assert.ok(identityMatch !== null, output);
    const identityUrl = identityMatch[1]!;
    assert.equal(
      identityUrl,
      `http://127.0.0.1:${identityPort}`,
      "the identity service listens on the --identity-port the demo passed on",
    );
    assert.ok(
      output.includes(`[demo] sign-in codes (development): ${identityUrl}/dev/inbox`),
      "the demo says where sign-in codes appear",
    );
    assert.ok(Array.isArray(await (await fetch(`${identityUrl}/dev/inbox`)).json()), "the dev inbox answers");

    // The React page and its bundle are served, with the backend URL baked in and a publishable key
    // that names the identity proxy on the page's own origin.
    const page = await fetch(pageUrl);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /text\/html/);
    const html = await page.text();
    assert.match(html, /<div id="root"><\/div>/);
    assert.match(html, /<script type="module" src="\/main\.js"><\/script>/);
    assert.match(html, /<link rel="stylesheet" href="\/main\.css" \/>/);
    const bundle = await fetch(`${pageUrl}/main.js`);
    assert.equal(bundle.status, 200);
    assert.match(bundle.headers.get("content-type") ?? "", /javascript/);
    const script = await bundle.text();
    assert.ok(script.includes(JSON.stringify(backendUrl)), "the bundle carries the backend URL from .env.local");
    const pageKey = `pk_test_${Buffer.from(`127.0.0.1:${webPort}/__identity$`).toString("base64")}`;
    assert.ok(
      script.includes(JSON.stringify(pageKey)),
      "the bundle carries a publishable key naming the page's identity proxy",
    );
    assert.ok(!script.includes("__TANDEM_PAGE_PUBLISHABLE_KEY__"), "the key placeholder was replaced");
    assert.ok(!script.includes("import.meta.env"), "the VITE_ variables were replaced");
    // convex/_generated/api names functions by property access (api.messages.list → "messages:list").
    for (const name of ["api.messages.list", "api.messages.send", "api.users.store"])
      assert.ok(script.includes(name), `the bundle calls ${name}`);
    // React, the official ConvexProviderWithClerk and @tandem/react's components are in the bundle.
    for (const marker of [
      "react.development",
      "ConvexProviderWithClerk",
      "Logged in as",
      "Still loading",
      "tandem-userButton",
    ]) {
      assert.ok(script.includes(marker), `the bundle holds ${marker}`);
    }
    const style = await fetch(`${pageUrl}/main.css`);
    assert.equal(style.status, 200);
    assert.match(style.headers.get("content-type") ?? "", /text\/css/);
    assert.match(await style.text(), /\.messages/);
    assert.equal((await fetch(`${pageUrl}/nope`)).status, 404);

    // The identity proxy forwards the Frontend API only, and refuses state changes from other origins.
    const environment = await fetch(`${pageUrl}/__identity/v1/environment`);
    assert.equal(environment.status, 200);
    assert.equal(((await environment.json()) as { object: string }).object, "environment");
    for (const path of [
      "/__identity/backend/v1/users",
      "/__identity/v1/../backend/v1/users",
      "/__identity/dev/inbox",
      "/__identity/v1/%2e%2e/backend/v1/users",
    ]) {
      assert.equal((await fetch(`${pageUrl}${path}`)).status, 404, `${path} is not served`);
    }
    const foreign = await fetch(`${pageUrl}/__identity/v1/client/sign_ins`, {
      method: "POST",
      headers: { Origin: "http://evil.example", "Content-Type": "application/x-www-form-urlencoded" },
      body: "identifier=someone%40example.com",
    });
    assert.equal(foreign.status, 403, "a state change from another origin is refused");

    // The official client sees a sent message arrive on its live subscription.
    client = new ConvexClient(backendUrl, {
      webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
    });
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
    assert.deepEqual(
      afterFirst.map(({ author, body }) => ({ author, body })),
      [{ author: "Ada", body: "hello from the test" }],
    );
    await client.mutation(sendMessage, { body: "who am I?" });
    const afterSecond = await until((messages) => messages.length === 2);
    assert.deepEqual(
      afterSecond.map((m) => `${m.author}: ${m.body}`),
      ["Ada: hello from the test", "Anonymous: who am I?"],
    );

    await client.close();
    client = null;

    // Ctrl-C stops the demo, the page server and the backend.
    demo.kill("SIGINT");
    const exit = await exitOf(demo, 20_000);
    assert.deepEqual(exit, { code: 0, signal: null }, output);
    assert.ok(await refusesConnections(pageUrl), "the page server is closed");
    assert.ok(await refusesConnections(`${backendUrl}/version`), "the backend is stopped");
    assert.ok(await groupGone(demo.pid!, 5_000), "tandem dev and the convex CLI it drove have exited too");
  },
);
