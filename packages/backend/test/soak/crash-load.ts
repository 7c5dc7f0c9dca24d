/**
 * The load the crash loop runs while it kills the backend: HTTP and WebSocket writers (official
 * ConvexHttpClient / ConvexClient), bank transfers, scheduled functions and a live subscriber.
 * Only writes the server acknowledged are recorded as such; every write carries a unique cid.
 */
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi, type FunctionReference } from "convex/server";
import WebSocket from "ws";

const api = anyApi;

export interface Summary {
  total: number;
  balances: Record<string, number>;
  transfers: number;
}

export interface AckedWrite {
  writer: string;
  seq: number;
  creationTime: number;
}

export interface LoadConfig {
  readonly url: string;
  readonly accounts: number;
  readonly balance: number;
  readonly random: () => number;
}

export function wsClient(url: string): ConvexClient {
  return new ConvexClient(url, {
    skipConvexDeploymentUrlCheck: true,
    webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
    logger: false,
  });
}

type Caller = {
  mutation(ref: FunctionReference<"mutation">, args: Record<string, unknown>): Promise<unknown>;
};

/**
 * "fetch failed" and friends: the server is down or going down, which the loop causes on purpose.
 * A refused connection never reached it; anything else was sent and may or may not have committed.
 */
function serverGone(e: unknown): "refused" | "in-doubt" | null {
  const text = `${String(e)} ${String((e as { cause?: unknown })?.cause)} ${(e as { cause?: { code?: string } })?.cause?.code ?? ""}`;
  if (/ECONNREFUSED/.test(text)) return "refused";
  return e instanceof TypeError || /fetch failed|ECONNRESET|socket hang up|other side closed/i.test(text)
    ? "in-doubt"
    : null;
}

export class CrashLoad {
  readonly acked = {
    writes: new Map<string, AckedWrite>(),
    transfers: new Set<string>(),
    scheduled: new Set<string>(),
  };
  /** Broken guarantees seen while the load ran (the loop fails on any). */
  readonly violations: string[] = [];
  /** Errors that were neither a success nor the server being gone. */
  readonly unexpected: string[] = [];
  /** Calls that got no answer: refused connections (never sent) and ones cut off by the kill. */
  readonly unanswered = { refused: 0, inDoubt: 0 };
  subscriberUpdates = 0;
  /** WebSocket mutations pending across a kill, answered after the reconnect. */
  resentAcknowledged = 0;
  private kills = 0;
  latest: Summary | null = null;
  private readonly http: ConvexHttpClient;
  private readonly ws: ConvexClient;
  private readonly sub: ConvexClient;
  private readonly seqs = new Map<string, number>();
  private readonly lastCreation = new Map<string, number>();
  private counter = 0;
  private running = false;
  private loops: Promise<void>[] = [];
  private lastSeenTransfers = -1;
  private lastSeenLatest = 0;

  constructor(private readonly config: LoadConfig) {
    this.http = new ConvexHttpClient(config.url);
    this.ws = wsClient(config.url);
    this.sub = wsClient(config.url);
    const expected = config.accounts * config.balance;
    this.sub.onUpdate(api.bank!.summary!, {}, (s: Summary) => {
      this.subscriberUpdates++;
      if (s.total !== expected) this.violations.push(`subscriber saw a bank total of ${s.total}, not ${expected}`);
      if (s.transfers < this.lastSeenTransfers)
        this.violations.push(`subscriber went back from ${this.lastSeenTransfers} to ${s.transfers} transfers`);
      this.lastSeenTransfers = s.transfers;
      this.latest = s;
    });
    this.sub.onUpdate(api.writes!.latest!, {}, (w: { creationTime: number } | null) => {
      if (!w) return;
      if (w.creationTime < this.lastSeenLatest)
        this.violations.push(
          `subscriber's latest write went back in time (${w.creationTime} < ${this.lastSeenLatest})`,
        );
      this.lastSeenLatest = w.creationTime;
    });
  }

  start(): void {
    this.running = true;
    const { http, ws } = this;
    this.loops = [
      ...[0, 1, 2].map((i) => this.loop(() => this.write(http, `h${i}`))),
      ...[0, 1].map((i) => this.loop(() => this.write(ws, `w${i}`))),
      this.loop(() => this.transfer(http)),
      this.loop(() => this.transfer(ws)),
      this.loop(() => this.schedule(http)),
      this.loop(() => this.schedule(ws)),
    ];
  }

  /** Stops starting new writes and waits for those in flight (WebSocket ones finish after the reconnect). */
  async stop(timeoutMs: number): Promise<void> {
    this.running = false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`writes still in flight ${timeoutMs} ms after the restart`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([Promise.all(this.loops), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.ws.close(), this.sub.close()]);
  }

  /** Called by the loop at each kill. */
  killed(): void {
    this.kills++;
  }

  /** A mutation through `c`, counting WebSocket ones pending across a kill (re-sent or sent after the reconnect). */
  private async call<T>(c: Caller, ref: unknown, args: Record<string, unknown>): Promise<T> {
    const before = this.kills;
    const value = (await c.mutation(ref as FunctionReference<"mutation">, args)) as T;
    if (this.kills !== before && c === this.ws) this.resentAcknowledged++;
    return value;
  }

  private async loop(once: () => Promise<void>): Promise<void> {
    while (this.running) {
      try {
        await once();
      } catch (e) {
        const gone = serverGone(e);
        if (gone === "refused") this.unanswered.refused++;
        else if (gone === "in-doubt") this.unanswered.inDoubt++;
        else this.unexpected.push(String(e).slice(0, 300));
        // The server is down (or a write failed): wait a little rather than spin.
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  private async write(client: Caller, writer: string): Promise<void> {
    const seq = (this.seqs.get(writer) ?? 0) + 1;
    this.seqs.set(writer, seq);
    const cid = `${writer}-${seq}`;
    const { creationTime } = await this.call<{ creationTime: number }>(client, api.writes!.add, { cid, writer, seq });
    const last = this.lastCreation.get(writer) ?? 0;
    if (creationTime <= last)
      this.violations.push(`${cid}: _creationTime ${creationTime} not after the writer's previous ${last}`);
    this.lastCreation.set(writer, creationTime);
    this.acked.writes.set(cid, { writer, seq, creationTime });
  }

  private async transfer(client: Caller): Promise<void> {
    const { accounts, random } = this.config;
    const from = Math.floor(random() * accounts);
    const to = (from + 1 + Math.floor(random() * (accounts - 1))) % accounts;
    const cid = `t-${++this.counter}`;
    await this.call(client, api.bank!.transfer, {
      cid,
      from: `a${from}`,
      to: `a${to}`,
      amount: 1 + Math.floor(random() * 40),
    });
    this.acked.transfers.add(cid);
  }

  private async schedule(client: Caller): Promise<void> {
    const cid = `s-${++this.counter}`;
    await this.call(client, api.jobs!.schedule, { cid, delayMs: Math.floor(this.config.random() * 200) });
    this.acked.scheduled.add(cid);
  }
}
