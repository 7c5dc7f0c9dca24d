/**
 * Test harness: a real `http.Server` on 127.0.0.1:0 with the sync server attached, the official
 * `ConvexClient` (Node, `ws`) pointed at it, and a raw protocol client for transcripts and abuse.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import WebSocket from "ws";
import { ConvexClient } from "convex/browser";
import { attachSyncServer, type SyncServer, type SyncServerOptions } from "../../src/sync/index.js";
import type { Engine, UserIdentityAttributes } from "../../src/engine/types.js";

export const ADMIN_KEY = "test-admin-key";

export interface Harness {
  readonly url: string;
  readonly wsUrl: string;
  readonly http: Server;
  readonly sync: SyncServer;
  /** Every ws the official clients opened, newest last. */
  readonly sockets: WebSocket[];
  client(options?: { verbose?: boolean }): ConvexClient;
  raw(path?: string): Promise<RawClient>;
  close(): Promise<void>;
}

/** Tokens in tests: `user:<subject>:<expiresAtMs|never>`; anything else is rejected. */
async function authenticateUser(
  token: string,
): Promise<{ attributes: UserIdentityAttributes; expiresAt: number | null }> {
  const m = /^user:([^:]+):(\d+|never)$/.exec(token);
  if (!m) throw new Error("bad token");
  const attributes = { tokenIdentifier: `test|${m[1]}`, issuer: "test", subject: m[1]! };
  return { attributes, expiresAt: m[2] === "never" ? null : Number(m[2]) };
}

export async function startHarness(engine: Engine, options: Partial<SyncServerOptions> = {}): Promise<Harness> {
  const http = createServer((_req, res) => res.writeHead(404).end());
  const sync = attachSyncServer(http, {
    engine,
    authenticateUser,
    checkAdminKey: (k) => k === ADMIN_KEY,
    ...options,
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  const { port } = http.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const clients: ConvexClient[] = [];
  const raws: RawClient[] = [];
  const sockets: WebSocket[] = [];
  class RecordingWebSocket extends WebSocket {
    constructor(address: string) {
      super(address);
      sockets.push(this);
    }
  }
  return {
    url,
    wsUrl: `ws://127.0.0.1:${port}`,
    http,
    sync,
    sockets,
    client(opts = {}) {
      const c = new ConvexClient(url, {
        skipConvexDeploymentUrlCheck: true,
        webSocketConstructor: RecordingWebSocket as unknown as typeof globalThis.WebSocket,
        logger: opts.verbose ? true : false,
        unsavedChangesWarning: false,
      });
      clients.push(c);
      return c;
    },
    async raw(path = "/api/1.48.0/sync") {
      const r = await RawClient.open(`ws://127.0.0.1:${port}${path}`);
      raws.push(r);
      return r;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      for (const r of raws) r.ws.terminate();
      await sync.close();
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}

export type Msg = { type: string; [k: string]: unknown };

/** Speaks the protocol by hand; collects every message the server sends. */
export class RawClient {
  readonly messages: Msg[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: Array<() => void> = [];
  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      this.messages.push(JSON.parse(data.toString()) as Msg);
      this.wake();
    });
    ws.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    ws.on("error", () => {});
  }

  static open(url: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const client = new RawClient(ws);
      ws.once("open", () => resolve(client));
      ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once("error", reject);
    });
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  send(m: unknown): void {
    this.ws.send(typeof m === "string" ? m : JSON.stringify(m));
  }

  connect(extra: Record<string, unknown> = {}): void {
    this.send({
      type: "Connect",
      sessionId: crypto.randomUUID(),
      connectionCount: 0,
      lastCloseReason: "InitialConnect",
      clientTs: Date.now(),
      ...extra,
    });
  }

  /** Waits for the first message (from index `from`) matching `pred`. */
  async next(pred: (m: Msg) => boolean = () => true, timeoutMs = 5000, from = 0): Promise<Msg> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.slice(from).find(pred);
      if (found) return found;
      if (this.closed)
        throw new Error(
          `closed (${this.closed.code}) before a matching message; got ${JSON.stringify(this.messages.map((m) => m.type))}`,
        );
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; got ${JSON.stringify(this.messages.map((m) => m.type))}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  ofType(type: string): Msg[] {
    return this.messages.filter((m) => m.type === type);
  }

  async waitClosed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error("socket did not close");
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return this.closed;
  }
}

/** Polls `check` until it returns true. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const ZERO_TS = "AAAAAAAAAAA=";
