/**
 * The live channel: the backend's sync WebSocket (`/api/<version>/sync`), forwarded from the
 * dashboard's own origin (`/_api/backend/api/<version>/sync`) so the page's official `ConvexClient`
 * subscribes to the data browser's system queries instead of polling them. A browser cannot put
 * the admin key in a WebSocket's headers; the client sends it in its `Authenticate` message
 * (`tokenType: "Admin"`), so that is where it is checked: nothing but the `Connect` greeting
 * reaches the backend before an `Authenticate` carrying the admin key, and a socket whose
 * `Authenticate` carries anything else is closed (and counted as a wrong key).
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import WebSocket, { WebSocketServer, type RawData } from "ws";
import type { Logger } from "@tandem/shared";
import { sameSecret, type FailureLimiter } from "./access.js";

const SYNC_PATH = /^\/_api\/backend(\/api\/[^/]+\/sync)$/;
/** A closing code in the application range: the client reconnects, and is refused again. */
const POLICY_VIOLATION = 1008;
/** What a socket may send before it is authenticated; more is not a dashboard. */
const MAX_WAITING_MESSAGES = 16;

export interface SyncProxyOptions {
  readonly backendUrl: string;
  readonly adminKey: string;
  readonly failures: FailureLimiter;
  readonly logger: Logger;
}

/** `ws` message data as text (the sync protocol sends only text frames). */
const text = (data: RawData): string =>
  Array.isArray(data) ? Buffer.concat(data).toString("utf8") : Buffer.from(data as ArrayBuffer).toString("utf8");

type Verdict = "greeting" | "admin" | "refused" | "other";

/** Connect greets; Authenticate must carry the admin key; anything else is "other". */
function judge(message: string, adminKey: string): Verdict {
  let m: { type?: unknown; tokenType?: unknown; value?: unknown };
  try {
    m = JSON.parse(message) as typeof m;
  } catch {
    return "refused";
  }
  if (m.type === "Connect") return "greeting";
  if (m.type !== "Authenticate") return "other";
  return m.tokenType === "Admin" && typeof m.value === "string" && sameSecret(m.value, adminKey) ? "admin" : "refused";
}

export class SyncProxy {
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 20 * 1024 * 1024 });
  readonly #backend: string;

  constructor(private readonly o: SyncProxyOptions) {
    this.#backend = o.backendUrl.replace(/^http/, "ws").replace(/\/+$/, "");
  }

  /** Takes the upgrade when it is for the sync path; false leaves it to the caller. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? "/", "http://dashboard");
    const m = SYNC_PATH.exec(url.pathname);
    if (!m) return false;
    const from = req.socket.remoteAddress ?? "unknown";
    const wait = this.o.failures.retryAfter(from);
    if (wait > 0) {
      socket.end(`HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${wait}\r\nConnection: close\r\n\r\n`);
      return true;
    }
    this.#wss.handleUpgrade(req, socket, head, (client) => this.#pipe(client, this.#backend + m[1]!, from));
    return true;
  }

  #pipe(client: WebSocket, target: string, from: string): void {
    let upstream: WebSocket | null = null;
    let authenticated = false;
    const waiting: string[] = [];
    const refuse = (why: string) => {
      this.o.failures.fail(from);
      this.o.logger.warn("dashboard sync socket refused", { why });
      client.close(POLICY_VIOLATION, "Log in with the deployment's admin key.");
      upstream?.terminate();
    };
    const open = () => {
      const up = new WebSocket(target, { maxPayload: 64 * 1024 * 1024 });
      upstream = up;
      up.on("open", () => {
        for (const w of waiting.splice(0)) up.send(w);
      });
      up.on("message", (data, isBinary) => {
        if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
      });
      up.on("close", (code, reason) => {
        if (client.readyState === WebSocket.OPEN || client.readyState === WebSocket.CONNECTING)
          client.close(code >= 1000 && code < 5000 && code !== 1005 && code !== 1006 ? code : 1011, reason);
      });
      up.on("error", (e) => {
        this.o.logger.warn("backend sync socket failed", { error: e.message });
        client.terminate();
      });
    };
    client.on("message", (data) => {
      const message = text(data);
      // Every Authenticate is checked, also later ones: a socket never switches to another key.
      const verdict = judge(message, this.o.adminKey);
      if (verdict === "refused") return refuse("an Authenticate without the admin key");
      if (!authenticated) {
        if (verdict === "other") return refuse("a message before Authenticate");
        if (waiting.length >= MAX_WAITING_MESSAGES) return refuse("too many messages before Authenticate");
        waiting.push(message);
        if (verdict === "admin") {
          authenticated = true;
          open();
        }
        return;
      }
      const up = upstream!;
      if (up.readyState === WebSocket.OPEN) up.send(message);
      else waiting.push(message);
    });
    client.on("close", () => upstream?.close());
    client.on("error", () => upstream?.terminate());
  }

  close(): void {
    for (const c of this.#wss.clients) c.terminate();
    this.#wss.close();
  }
}
