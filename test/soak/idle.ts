/**
 * Idle subscribed connections (issue 24, item 3): opens many raw WebSockets to `tandem serve`, each
 * speaking the sync protocol as the official client does (`Connect`, then a `ModifyQuerySet` adding
 * one query), waits for every subscription's first `Transition`, lets them sit idle past the
 * server's keep-alive interval, and measures the server's resident memory per connection. Each
 * connection subscribes to its own query arguments by default (no sharing between connections:
 * the costly case); `shared` spreads them over ten.
 */
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import type { Served } from "./serve.js";

export interface IdleOptions {
  connections: number;
  /** Handshakes in flight at once. */
  concurrency?: number;
  /** Idle time after the last subscription is answered (covers the 15 s keep-alive Ping). */
  idleMs: number;
  shared?: boolean;
  log?: (line: string) => void;
}

export interface IdleReport {
  connections: number;
  subscribed: number;
  openSeconds: number;
  idleSeconds: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  rssAfterCloseMiB: number;
  perConnectionKiB: number;
  /** Connections the server closed while they sat idle. */
  closedWhileIdle: number;
  /** Connections that got a keep-alive `Ping` while idle (the server still tends them). */
  pinged: number;
  /** A write to one connection's query reached it while the others sat idle. */
  updateDelivered: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MiB = 1024 * 1024;

async function steadyRss(s: Served): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < 5; i++) {
    xs.push(s.rss());
    await sleep(400);
  }
  return xs.sort((a, b) => a - b)[2]!;
}

interface Conn {
  ws: WebSocket;
  pinged: boolean;
  closed: boolean;
  /** Values of query 0 the server sent. */
  values: unknown[];
}

function open(url: string, key: string): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const c: Conn = { ws, pinged: false, closed: false, values: [] };
    let answered = false;
    const timer = setTimeout(() => reject(new Error(`no Transition for ${key} in 60 s`)), 60_000);
    ws.on("open", () => {
      ws.send(
        JSON.stringify({
          type: "Connect",
          sessionId: randomUUID(),
          connectionCount: 0,
          lastCloseReason: "InitialConnect",
          clientTs: Date.now(),
        }),
      );
      ws.send(
        JSON.stringify({
          type: "ModifyQuerySet",
          baseVersion: 0,
          newVersion: 1,
          modifications: [{ type: "Add", queryId: 0, udfPath: "soak:counter", args: [{ key }] }],
        }),
      );
    });
    ws.on("message", (data) => {
      const m = JSON.parse(String(data)) as { type: string; modifications?: { queryId: number; value?: unknown }[] };
      if (m.type === "Ping") c.pinged = true;
      if (m.type !== "Transition") return;
      for (const mod of m.modifications ?? []) if (mod.queryId === 0) c.values.push(mod.value);
      if (!answered && c.values.length) {
        answered = true;
        clearTimeout(timer);
        resolve(c);
      }
    });
    ws.on("close", () => (c.closed = true));
    ws.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

export async function runIdleSoak(s: Served, o: IdleOptions): Promise<IdleReport> {
  const log = o.log ?? (() => {});
  const url = `${s.api.replace(/^http/, "ws")}/api/1.48.0/sync`;
  // Warm the server first (function threads, the query's module) so the baseline is not the cold start.
  const warm = await Promise.all(Array.from({ length: 20 }, (_, i) => open(url, `warm-${i}`)));
  for (const c of warm) c.ws.close();
  await sleep(2_000);
  const before = await steadyRss(s);
  log(`baseline rss ${(before / MiB).toFixed(1)} MiB; opening ${o.connections} connections`);

  const started = Date.now();
  const conns: Conn[] = new Array(o.connections);
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < o.connections) {
      const i = nextIndex++;
      conns[i] = await open(url, o.shared ? `idle-${i % 10}` : `idle-${i}`);
      if ((i + 1) % 1000 === 0) log(`  ${i + 1} subscribed, rss ${(s.rss() / MiB).toFixed(1)} MiB`);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency ?? 100 }, worker));
  const openSeconds = (Date.now() - started) / 1000;
  for (const c of conns) c.pinged = false;
  log(`all ${o.connections} subscribed in ${openSeconds.toFixed(1)} s; idle for ${o.idleMs / 1000} s`);
  await sleep(o.idleMs);
  const after = await steadyRss(s);

  // One write reaches its one subscriber while the rest sit idle.
  const target = conns[0]!;
  const seen = target.values.length;
  const res = await fetch(`${s.api}/api/mutation`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ path: "soak:bump", args: { key: "idle-0" }, format: "json" }),
  });
  if (res.status !== 200) throw new Error(`bump: ${res.status} ${await res.text()}`);
  const deadline = Date.now() + 10_000;
  while (target.values.length === seen && Date.now() < deadline) await sleep(20);

  const report: IdleReport = {
    connections: o.connections,
    subscribed: conns.filter((c) => c.values.length > 0).length,
    openSeconds,
    idleSeconds: o.idleMs / 1000,
    rssBeforeMiB: before / MiB,
    rssAfterMiB: after / MiB,
    rssAfterCloseMiB: 0,
    perConnectionKiB: (after - before) / o.connections / 1024,
    closedWhileIdle: conns.filter((c) => c.closed).length,
    pinged: conns.filter((c) => c.pinged).length,
    updateDelivered: target.values.length > seen && target.values.at(-1) === 1,
  };
  await Promise.all(
    conns.map(
      (c) =>
        new Promise<void>((r) => {
          if (c.closed) return r();
          c.ws.once("close", () => r());
          c.ws.close();
        }),
    ),
  );
  await sleep(3_000);
  report.rssAfterCloseMiB = (await steadyRss(s)) / MiB;
  return report;
}

export function describeIdle(r: IdleReport): string[] {
  return [
    `idle soak: ${r.subscribed} of ${r.connections} connections subscribed in ${r.openSeconds.toFixed(1)} s, idle ${r.idleSeconds} s; ` +
      `${r.closedWhileIdle} closed while idle, ${r.pinged} got a keep-alive Ping, update delivered: ${r.updateDelivered}`,
    `  server rss ${r.rssBeforeMiB.toFixed(1)} MiB before, ${r.rssAfterMiB.toFixed(1)} MiB with every connection open ` +
      `(${r.perConnectionKiB.toFixed(1)} KiB per connection), ${r.rssAfterCloseMiB.toFixed(1)} MiB after they closed`,
  ];
}

/** The stated budget: resident memory per idle subscribed connection. */
export const IDLE_BUDGET_KIB = 32;

export function checkIdle(r: IdleReport): string[] {
  const problems: string[] = [];
  if (r.subscribed !== r.connections) problems.push(`only ${r.subscribed} of ${r.connections} subscribed`);
  if (r.closedWhileIdle) problems.push(`${r.closedWhileIdle} connections were closed while idle`);
  if (r.pinged !== r.connections) problems.push(`only ${r.pinged} of ${r.connections} got a keep-alive Ping`);
  if (!r.updateDelivered) problems.push("a write did not reach its subscriber");
  if (r.perConnectionKiB > IDLE_BUDGET_KIB)
    problems.push(`${r.perConnectionKiB.toFixed(1)} KiB per connection (budget ${IDLE_BUDGET_KIB} KiB)`);
  return problems;
}
