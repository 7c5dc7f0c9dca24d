/**
 * Function execution logs for `npx convex dev` / `npx convex logs` (docs/push-api.md#logs
 * `stream_function_logs`): a bounded buffer of finished executions, each stamped with a
 * strictly increasing cursor (ms), and a long poll that answers as soon as something newer
 * than the client's cursor exists.
 */
import type { ExecutionLog, FunctionKind } from "../engine/types.js";
import { newRequestId } from "../engine/random-pool.js";

export interface FunctionExecutionJson {
  kind: "Completion";
  udfType: "Query" | "Mutation" | "Action" | "HttpAction";
  identifier: string;
  /** The component instance of a function run directly in one (`npx convex run --component`). */
  componentPath: string | null;
  timestamp: number;
  logLines: string[];
  executionTime: number;
  error: string | null;
  requestId: string;
  executionId: string;
  cachedResult: boolean;
  caller: string;
  willRetry: boolean;
  executionTimestamp: number;
  identityType: string;
  environment: string;
  usageStats: Record<string, number>;
}

const UDF_TYPE: Record<FunctionKind | "httpAction", FunctionExecutionJson["udfType"]> = {
  query: "Query",
  mutation: "Mutation",
  action: "Action",
  httpAction: "HttpAction",
};

const EMPTY_USAGE = {
  databaseReadBytes: 0,
  databaseWriteBytes: 0,
  databaseIoReadBytes: 0,
  databaseIoWriteBytes: 0,
  databaseReadDocuments: 0,
  databaseWriteDocuments: 0,
  databaseWriteIndexRows: 0,
  storageReadBytes: 0,
  storageWriteBytes: 0,
  vectorIndexReadBytes: 0,
  vectorIndexWriteBytes: 0,
  textIndexQueryBytes: 0,
  textIndexWriteQueryBytes: 0,
  vectorIndexReadQueryBytes: 0,
  vectorIndexWriteQueryBytes: 0,
  networkEgressBytes: 0,
  memoryUsedMb: 0,
};

function toJson(log: ExecutionLog, executionId: string, requestId: string): FunctionExecutionJson {
  return {
    kind: "Completion",
    udfType: UDF_TYPE[log.kind],
    ...splitHandle(log.identifier),
    timestamp: log.timestamp,
    logLines: [...log.logLines],
    executionTime: log.executionTimeSeconds,
    error: log.error,
    requestId,
    executionId,
    cachedResult: log.cached === true,
    caller: "Tester",
    willRetry: false,
    executionTimestamp: log.timestamp - log.executionTimeSeconds,
    identityType: "unknown",
    environment: "isolate",
    usageStats: EMPTY_USAGE,
  };
}

/** A function run through a handle (`function://<instance>#<udf path>`) is logged under its instance. */
function splitHandle(identifier: string): { identifier: string; componentPath: string | null } {
  const m = /^function:\/\/([^#]*)#(.+)$/.exec(identifier);
  return m ? { identifier: m[2]!, componentPath: m[1] === "" ? null : m[1]! } : { identifier, componentPath: null };
}

export class LogStream {
  readonly #capacity: number;
  /** Raw entries, turned into JSON only when someone reads them (most are never read). */
  #entries: Array<{ cursor: number; log: ExecutionLog; executionId: string; requestId?: string }> = [];
  #head = Date.now();
  #waiters = new Set<() => void>();
  #counter = 0;

  constructor(capacity = 1000) {
    this.#capacity = capacity;
  }

  push(log: ExecutionLog): void {
    this.#head = Math.max(this.#head + 0.001, Date.now());
    this.#entries.push({ cursor: this.#head, log, executionId: `exec-${++this.#counter}` });
    // Trimmed in chunks: dropping one entry per push would move the whole array every time.
    if (this.#entries.length > this.#capacity * 1.5) this.#entries.splice(0, this.#entries.length - this.#capacity);
    if (this.#waiters.size === 0) return;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const w of waiters) w();
  }

  head(): number {
    return this.#head;
  }

  after(cursor: number): { entries: FunctionExecutionJson[]; newCursor: number } {
    const newer = this.#entries.filter((e) => e.cursor > cursor).slice(-this.#capacity);
    // Request ids are drawn when an entry is first shown (most never are), then kept.
    const entries = newer.map((e) => toJson(e.log, e.executionId, (e.requestId ??= newRequestId())));
    return { entries, newCursor: newer.length ? newer[newer.length - 1]!.cursor : Math.max(cursor, this.#head) };
  }

  /**
   * `cursor = 0` answers at once (the CLI only wants the head cursor then); otherwise waits
   * up to `timeoutMs` for an entry newer than `cursor`.
   */
  async poll(
    cursor: number,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<{ entries: FunctionExecutionJson[]; newCursor: number }> {
    if (cursor <= 0) return this.after(0);
    const now = this.after(cursor);
    if (now.entries.length > 0) return now;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#waiters.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
    return this.after(cursor);
  }
}
