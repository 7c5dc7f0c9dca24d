/**
 * What the crash loop checks after every restart, reading the data back through the official
 * ConvexHttpClient: nothing acknowledged lost, nothing applied twice, the bank consistent with its
 * transfers, every scheduled job run exactly once, time never going back, the subscriber caught up.
 */
import { isDeepStrictEqual } from "node:util";
import { ConvexHttpClient } from "convex/browser";
import { anyApi, type FunctionReference } from "convex/server";
import type { CrashLoad, Summary } from "./crash-load.js";

const api = anyApi;

type Table = "writes" | "transfers" | "scheduled" | "runs";
interface Doc {
  cid: string;
  _creationTime: number;
  writer?: string;
  seq?: number;
  from?: string;
  to?: string;
  amount?: number;
}

export interface CheckFigures {
  writes: number;
  transfers: number;
  scheduled: number;
  runs: number;
  lost: number;
  duplicates: number;
  /** Writes whose caller saw no answer (the kill came first) but that committed. */
  committedUnacknowledged: number;
}

async function readAll(http: ConvexHttpClient, table: Table): Promise<Doc[]> {
  const out: Doc[] = [];
  let cursor: string | null = null;
  for (;;) {
    const r = (await http.query(api.writes!.page as FunctionReference<"query">, {
      table,
      paginationOpts: { numItems: 2000, cursor },
    })) as {
      page: Doc[];
      isDone: boolean;
      continueCursor: string;
    };
    out.push(...r.page);
    if (r.isDone) return out;
    cursor = r.continueCursor;
  }
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function counts(docs: Doc[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const d of docs) m.set(d.cid, (m.get(d.cid) ?? 0) + 1);
  return m;
}

export async function queryTs(url: string): Promise<bigint> {
  const res = await fetch(`${url}/api/query_ts`, { method: "POST" });
  const { ts } = (await res.json()) as { ts: string };
  return Buffer.from(ts, "base64").readBigUInt64LE();
}

/** Throws with every broken guarantee listed; returns the figures otherwise. */
export async function checkAfterRestart(
  url: string,
  load: CrashLoad,
  opts: { accounts: number; balance: number },
): Promise<CheckFigures> {
  const http = new ConvexHttpClient(url);
  const problems: string[] = [];
  let lost = 0;
  let duplicates = 0;
  const lostAndDuplicates = (what: string, docs: Doc[], acked: Iterable<string>) => {
    const c = counts(docs);
    for (const [cid, n] of c) if (n > 1) (duplicates++, problems.push(`${what} ${cid} applied ${n} times`));
    for (const cid of acked) if (!c.has(cid)) (lost++, problems.push(`acknowledged ${what} ${cid} lost`));
    return c;
  };

  const writes = await readAll(http, "writes");
  const writeCounts = lostAndDuplicates("write", writes, load.acked.writes.keys());
  for (const d of writes) {
    const acked = load.acked.writes.get(d.cid);
    if (acked && acked.creationTime !== d._creationTime)
      problems.push(`write ${d.cid}: stored _creationTime ${d._creationTime}, acknowledged ${acked.creationTime}`);
  }
  const byWriter = new Map<string, Doc[]>();
  for (const d of writes) byWriter.set(d.writer!, [...(byWriter.get(d.writer!) ?? []), d]);
  for (const [writer, docs] of byWriter) {
    docs.sort((a, b) => a.seq! - b.seq!);
    for (let i = 1; i < docs.length; i++)
      if (docs[i]!._creationTime <= docs[i - 1]!._creationTime)
        problems.push(`${writer}: seq ${docs[i]!.seq} has _creationTime not after seq ${docs[i - 1]!.seq}`);
  }

  const transfers = await readAll(http, "transfers");
  lostAndDuplicates("transfer", transfers, load.acked.transfers);
  const summary = (await http.query(api.bank!.summary as FunctionReference<"query">, {})) as Summary;
  const expected: Record<string, number> = {};
  for (let i = 0; i < opts.accounts; i++) expected[`a${i}`] = opts.balance;
  for (const t of transfers) {
    expected[t.from!]! -= t.amount!;
    expected[t.to!]! += t.amount!;
  }
  if (summary.total !== opts.accounts * opts.balance)
    problems.push(`bank total ${summary.total}, not ${opts.accounts * opts.balance}`);
  if (!isDeepStrictEqual(summary.balances, expected))
    problems.push(
      `balances ${JSON.stringify(summary.balances)} do not follow from the transfers ${JSON.stringify(expected)}`,
    );
  if (summary.transfers !== transfers.length)
    problems.push(`transfer counter ${summary.transfers}, ${transfers.length} transfers stored`);
  if (Object.values(summary.balances).some((b) => b < 0))
    problems.push(`a negative balance: ${JSON.stringify(summary.balances)}`);

  const scheduled = await readAll(http, "scheduled");
  const scheduledCounts = lostAndDuplicates("scheduling", scheduled, load.acked.scheduled);
  // The restarted scheduler runs what was pending; each committed request gets exactly one run.
  const runs = await until(
    () => readAll(http, "runs"),
    (r) => r.length >= scheduled.length,
    `the ${scheduled.length} scheduled jobs to run after the restart`,
    60_000,
  );
  const runCounts = counts(runs);
  for (const [cid, n] of runCounts) {
    if (n > 1) (duplicates++, problems.push(`scheduled job ${cid} ran ${n} times`));
    if (!scheduledCounts.has(cid)) problems.push(`job ${cid} ran but was never scheduled`);
  }
  for (const cid of scheduledCounts.keys()) if (!runCounts.has(cid)) problems.push(`scheduled job ${cid} never ran`);

  // The live subscriber resumes on the same URL and catches up with what a fresh read sees.
  try {
    await until(
      async () => load.latest,
      (s) => isDeepStrictEqual(s, summary),
      "the subscriber to catch up",
      30_000,
    );
  } catch {
    problems.push(`subscriber stuck at ${JSON.stringify(load.latest)}; the server has ${JSON.stringify(summary)}`);
  }
  problems.push(...load.violations.splice(0));
  if (problems.length) throw new Error(`${problems.length} broken guarantees:\n${problems.slice(0, 30).join("\n")}`);

  let committedUnacknowledged = 0;
  for (const cid of writeCounts.keys()) if (!load.acked.writes.has(cid)) committedUnacknowledged++;
  return {
    writes: writes.length,
    transfers: transfers.length,
    scheduled: scheduled.length,
    runs: runs.length,
    lost,
    duplicates,
    committedUnacknowledged,
  };
}
