/**
 * The sync client the guide's app runs: convex-rs 0.6.0 inside android-convexmobile 0.2.0
 * (`Convex-Client: rust-0.6.0`), replayed from its source (docs/android-guide.md). It parses every
 * server message as strictly as `sync_types` does (an unknown `type` or a missing required field
 * fails here; the Rust worker would bail and reconnect, freezing the app), checks that each
 * Transition starts where the last ended, and refuses `$set`/`$map` values.
 */
import WebSocket from "ws";
import { randomUUID } from "node:crypto";
import { deviceTls, reach } from "./android-device.js";

export interface Version {
  querySet: number;
  identity: number;
  ts: string;
}
export type ServerMessage = { type: string; [k: string]: any };

const tsOf = (b64: string): bigint => {
  const buf = Buffer.from(b64, "base64");
  if (buf.length !== 8) throw new Error(`ts must be 8 bytes of base64, got ${JSON.stringify(b64)}`);
  const v = buf.readBigUInt64LE();
  if (v > 2n ** 63n - 1n) throw new Error("ts above i64::MAX");
  return v;
};

function need(o: Record<string, unknown>, fields: string[], what: string) {
  for (const f of fields)
    if (!(f in o)) throw new Error(`${what}: required field ${f} missing in ${JSON.stringify(o)}`);
}

function checkVersion(v: unknown, what: string): Version {
  const o = v as Record<string, unknown>;
  need(o, ["querySet", "identity", "ts"], what);
  if (!Number.isInteger(o.querySet) || !Number.isInteger(o.identity)) throw new Error(`${what}: u32 expected`);
  tsOf(o.ts as string);
  return o as unknown as Version;
}

function checkValue(v: unknown): void {
  if (Array.isArray(v)) return v.forEach(checkValue);
  if (v && typeof v === "object") {
    const keys = Object.keys(v);
    if (keys.length === 1 && (keys[0] === "$set" || keys[0] === "$map"))
      throw new Error(`convex-rs rejects ${keys[0]}`);
    Object.values(v).forEach(checkValue);
  }
}

/** What `sync_types/src/types/json.rs` requires of each server message. */
export function parseServerMessage(text: string): ServerMessage {
  const m = JSON.parse(text) as ServerMessage;
  switch (m.type) {
    case "Transition":
      need(m, ["startVersion", "endVersion", "modifications"], "Transition");
      checkVersion(m.startVersion, "startVersion");
      checkVersion(m.endVersion, "endVersion");
      for (const mod of m.modifications as Record<string, any>[]) {
        if (mod.type === "QueryUpdated") {
          need(mod, ["queryId", "value", "logLines"], "QueryUpdated");
          checkValue(mod.value);
        } else if (mod.type === "QueryFailed") need(mod, ["queryId", "errorMessage", "logLines"], "QueryFailed");
        else if (mod.type === "QueryRemoved") need(mod, ["queryId"], "QueryRemoved");
        else throw new Error(`unknown modification ${mod.type}`);
      }
      return m;
    case "MutationResponse":
      need(m, ["requestId", "success", "result", "logLines"], "MutationResponse");
      if (m.success && typeof m.ts !== "string") throw new Error("MutationResponse: ts missing on success");
      return m;
    case "ActionResponse":
      need(m, ["requestId", "success", "result", "logLines"], "ActionResponse");
      return m;
    case "AuthError":
    case "FatalError":
      need(m, ["error"], m.type);
      return m;
    case "Ping":
      return m;
    default:
      throw new Error(`convex-rs cannot parse a server message of type ${JSON.stringify(m.type)}`);
  }
}

export class RustSyncClient {
  version: Version = { querySet: 0, identity: 0, ts: Buffer.alloc(8).toString("base64") };
  readonly received: ServerMessage[] = [];
  closed: { code: number; reason: string } | null = null;
  #waiters: (() => void)[] = [];
  #error: Error | null = null;
  #requestId = 0;

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data) => {
      try {
        const m = parseServerMessage(String(data));
        if (m.type === "Transition") {
          if (JSON.stringify(m.startVersion) !== JSON.stringify(this.version))
            throw new Error(
              `StartVersionMismatch: ${JSON.stringify(m.startVersion)} after ${JSON.stringify(this.version)}`,
            );
          this.version = m.endVersion;
        }
        this.received.push(m);
      } catch (e) {
        this.#error = e as Error;
      }
      this.#wake();
    });
    ws.on("close", (code, reason) => {
      this.closed = { code, reason: String(reason) };
      this.#wake();
    });
  }

  #wake() {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Opens `/api/sync` on the deployment URL's host (convex-rs drops any path) and sends Connect. */
  static async connect(
    deploymentUrl: string,
    ca: string,
    clientId = "rust-0.6.0",
    connectionCount = 0,
  ): Promise<RustSyncClient> {
    const u = new URL(deploymentUrl);
    const ws = new WebSocket(`wss://${reach(u.hostname)}:${u.port}/api/sync`, {
      headers: { "Convex-Client": clientId, host: u.host },
      ...deviceTls(ca, u.hostname),
    });
    await new Promise<void>((resolve, reject) => ws.once("open", resolve).once("error", reject));
    const c = new RustSyncClient(ws);
    c.send({ type: "Connect", sessionId: randomUUID(), connectionCount, lastCloseReason: "InitialConnect" });
    return c;
  }

  send(m: Record<string, unknown>) {
    this.ws.send(JSON.stringify(m));
  }

  /** The next message (after `from`) matching `pred`; fails on a parse error, a close, or 10 s. */
  async next(pred: (m: ServerMessage) => boolean, from = 0): Promise<ServerMessage> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (this.#error) throw this.#error;
      const found = this.received.slice(from).find(pred);
      if (found) return found;
      if (this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting`);
      if (Date.now() > deadline)
        throw new Error(`timed out; received ${JSON.stringify(this.received.map((m) => m.type))}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 200).unref();
      });
    }
  }

  /** `setAuth(token)` / `setAuth(null)`: Authenticate at the current identity version; resolves with the Transition or AuthError. */
  async authenticate(token: string | null): Promise<ServerMessage> {
    const from = this.received.length;
    const base = this.version.identity;
    this.send(
      token
        ? { type: "Authenticate", baseVersion: base, tokenType: "User", value: token }
        : { type: "Authenticate", baseVersion: base, tokenType: "None" },
    );
    return this.next((m) => m.type === "AuthError" || (m.type === "Transition" && m.endVersion.identity > base), from);
  }

  /** `subscribe("messages:list")`: args `[{}]`; resolves with the Transition carrying the first result. */
  async subscribe(queryId: number, udfPath: string): Promise<ServerMessage> {
    const from = this.received.length;
    const base = this.version.querySet;
    this.send({
      type: "ModifyQuerySet",
      baseVersion: base,
      newVersion: base + 1,
      modifications: [{ type: "Add", queryId, udfPath, args: [{}] }],
    });
    return this.next((m) => m.type === "Transition" && m.modifications.some((x: any) => x.queryId === queryId), from);
  }

  /** A mutation returns only once a Transition covers its `ts` (`request_manager.rs`). */
  async mutation(
    udfPath: string,
    args: Record<string, unknown>,
  ): Promise<{ response: ServerMessage; covering: ServerMessage | null }> {
    const requestId = this.#requestId++;
    const from = this.received.length;
    this.send({ type: "Mutation", requestId, udfPath, args: [args] });
    const response = await this.next(
      (m) => (m.type === "MutationResponse" && m.requestId === requestId) || m.type === "AuthError",
      from,
    );
    if (response.type !== "MutationResponse" || !response.success) return { response, covering: null };
    const ts = tsOf(response.ts);
    const covering = await this.next((m) => m.type === "Transition" && tsOf(m.endVersion.ts) >= ts, from);
    return { response, covering };
  }

  /** The last value the server sent for `queryId`. */
  valueOf(queryId: number): unknown {
    for (let i = this.received.length - 1; i >= 0; i--) {
      const m = this.received[i]!;
      if (m.type !== "Transition") continue;
      const mod = m.modifications.find((x: any) => x.queryId === queryId && x.type === "QueryUpdated");
      if (mod) return mod.value;
    }
    return undefined;
  }

  close() {
    this.ws.close();
  }
}
