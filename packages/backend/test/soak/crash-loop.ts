/**
 * The crash loop (issue 24, item 1): push the fixture app with the official CLI, then N times run
 * the load, `kill -9` the backend at a random moment, restart it on the same data folder and port,
 * and check every guarantee (crash-check.ts). Returns the figures; throws on the first breach.
 */
import { rm } from "node:fs/promises";
import { dirname } from "node:path";
import { ConvexHttpClient } from "convex/browser";
import { anyApi, type FunctionReference } from "convex/server";
import { copyFixture, pushOnce, tempDir } from "../server/fixture.js";
import { kill9, startAndKill, startBackendProcess, type BackendProcess } from "./backend-process.js";
import { checkAfterRestart, queryTs } from "./crash-check.js";
import { CrashLoad } from "./crash-load.js";

export interface CrashLoopOptions {
  readonly cycles: number;
  readonly seed: number;
  /** The kill lands uniformly in [minLoadMs, maxLoadMs] after the load starts. */
  readonly minLoadMs?: number;
  readonly maxLoadMs?: number;
  readonly log?: (line: string) => void;
  /** Share of restarts killed again during recovery (default 0.2). */
  readonly recoveryKillShare?: number;
}

export interface CrashLoopFigures {
  readonly seed: number;
  readonly cycles: number;
  /** Cycles whose restart was itself killed during recovery. */
  readonly recoveryKills: number;
  /** Calls cut off by a kill: sent with no answer (they may have committed). */
  readonly inDoubt: number;
  readonly acknowledged: {
    readonly writes: number;
    readonly transfers: number;
    readonly scheduled: number;
    readonly total: number;
  };
  readonly lost: number;
  readonly duplicates: number;
  readonly committedUnacknowledged: number;
  readonly scheduledRuns: number;
  readonly subscriberUpdates: number;
  /** WebSocket mutations pending across a kill (in flight or queued), answered after the reconnect. */
  readonly resentAcknowledged: number;
  readonly meanRestartMs: number;
  readonly unexpectedErrors: readonly string[];
  readonly elapsedMs: number;
}

/** mulberry32: a seeded PRNG so a failing run can be replayed with its printed seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ACCOUNTS = 8;
const RECOVERY_KILL_SHARE = 0.2;
const BALANCE = 1000;

export async function runCrashLoop(options: CrashLoopOptions): Promise<CrashLoopFigures> {
  const log = options.log ?? (() => {});
  const minLoad = options.minLoadMs ?? 100;
  const maxLoad = options.maxLoadMs ?? 1500;
  const random = seeded(options.seed);
  // Kill points draw from their own stream, so they replay with the seed whatever the load did.
  const killAt = seeded(options.seed ^ 0x9e3779b9);
  const started = Date.now();
  const dataDir = await tempDir("soak-crash");
  const app = await copyFixture("soak");
  let backend: BackendProcess = await startBackendProcess(dataDir);
  await pushOnce(app, backend);
  await new ConvexHttpClient(backend.url).mutation(anyApi.bank!.init as FunctionReference<"mutation">, {
    accounts: ACCOUNTS,
    balance: BALANCE,
  });
  const load = new CrashLoad({ url: backend.url, accounts: ACCOUNTS, balance: BALANCE, random });
  let restartMs = 0;
  let recoveryKills = 0;
  let last = { lost: 0, duplicates: 0, committedUnacknowledged: 0, runs: 0 };
  try {
    for (let cycle = 1; cycle <= options.cycles; cycle++) {
      load.start();
      const loadMs = minLoad + Math.floor(killAt() * (maxLoad - minLoad));
      await new Promise((r) => setTimeout(r, loadMs));
      const tsBefore = await queryTs(backend.url).catch(() => 0n);
      await kill9(backend);
      load.killed();
      // Now and then the restart is killed too, at a random moment of its recovery.
      const killRecovery = killAt() < (options.recoveryKillShare ?? RECOVERY_KILL_SHARE);
      if (killRecovery) {
        await startAndKill(dataDir, backend.port, Math.floor(killAt() * 2000));
        recoveryKills++;
      }
      const t0 = Date.now();
      backend = await startBackendProcess(dataDir, backend.port);
      restartMs += Date.now() - t0;
      await load.stop(60_000);
      const tsAfter = await queryTs(backend.url);
      if (tsAfter < tsBefore)
        throw new Error(`cycle ${cycle}: the commit timestamp went back from ${tsBefore} to ${tsAfter}`);
      const t1 = Date.now();
      const c = await checkAfterRestart(backend.url, load, { accounts: ACCOUNTS, balance: BALANCE });
      last = {
        lost: c.lost,
        duplicates: c.duplicates,
        committedUnacknowledged: c.committedUnacknowledged,
        runs: c.runs,
      };
      log(
        `cycle ${cycle}/${options.cycles}: killed after ${loadMs} ms${killRecovery ? ", and again during recovery" : ""}; ${load.acked.writes.size} writes, ${load.acked.transfers.size} transfers, ` +
          `${load.acked.scheduled.size} scheduled acknowledged; ${c.runs} runs; lost ${c.lost}, duplicates ${c.duplicates}; ` +
          `back after ${t1 - t0} ms, checked in ${Date.now() - t1} ms`,
      );
    }
  } finally {
    await load.close();
    await kill9(backend);
    await Promise.all([
      rm(dataDir, { recursive: true, force: true }),
      rm(dirname(app), { recursive: true, force: true }),
    ]);
  }
  const acknowledged = {
    writes: load.acked.writes.size,
    transfers: load.acked.transfers.size,
    scheduled: load.acked.scheduled.size,
    total: load.acked.writes.size + load.acked.transfers.size + load.acked.scheduled.size,
  };
  return {
    seed: options.seed,
    cycles: options.cycles,
    recoveryKills,
    inDoubt: load.unanswered.inDoubt,
    acknowledged,
    lost: last.lost,
    duplicates: last.duplicates,
    committedUnacknowledged: last.committedUnacknowledged,
    scheduledRuns: last.runs,
    subscriberUpdates: load.subscriberUpdates,
    resentAcknowledged: load.resentAcknowledged,
    meanRestartMs: Math.round(restartMs / Math.max(1, options.cycles)),
    unexpectedErrors: load.unexpected,
    elapsedMs: Date.now() - started,
  };
}

export function formatFigures(f: CrashLoopFigures): string {
  return [
    `crash loop: ${f.cycles} kill -9 cycles (seed ${f.seed}) in ${(f.elapsedMs / 1000).toFixed(1)} s; ${f.recoveryKills} restarts also killed during recovery`,
    `  acknowledged: ${f.acknowledged.total} (${f.acknowledged.writes} writes, ${f.acknowledged.transfers} transfers, ${f.acknowledged.scheduled} schedulings)`,
    `  lost: ${f.lost}   applied twice: ${f.duplicates}   WebSocket mutations pending across a kill, acknowledged after the reconnect: ${f.resentAcknowledged}`,
    `  cut off by a kill: ${f.inDoubt} calls sent but never answered; ${f.committedUnacknowledged} such writes had committed anyway`,
    `  scheduled runs: ${f.scheduledRuns} (each exactly once)   subscriber updates: ${f.subscriberUpdates}   mean restart: ${f.meanRestartMs} ms`,
    `  unexpected client errors: ${f.unexpectedErrors.length}`,
  ].join("\n");
}
