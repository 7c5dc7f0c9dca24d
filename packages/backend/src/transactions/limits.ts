/** Convex's transaction limits (docs/semantics.md#limits) and their error texts. */
import { TandemError } from "@tandem/shared";
import { backendError } from "../errors.js";

export const LIMITS = {
  documentsRead: 32_000,
  bytesRead: 16 * 1024 * 1024,
  readIntervals: 4096,
  documentsWritten: 16_000,
  bytesWritten: 16 * 1024 * 1024,
  documentBytes: 1024 * 1024,
  argumentBytes: 16 * 1024 * 1024,
  resultBytes: 16 * 1024 * 1024,
} as const;

/** The counters a nested call's `transactionLimits` can bound (the names `convex/server` uses). */
type Counted = "documentsRead" | "bytesRead" | "readIntervals" | "documentsWritten" | "bytesWritten";

/** A nested call's own limits: the counters at its start, and how far each may go from there. */
interface Frame {
  readonly start: Readonly<Record<Counted, number>>;
  readonly max: Readonly<Record<Counted, number>>;
}

export class Metrics {
  documentsRead = 0;
  bytesRead = 0;
  readIntervals = 0;
  documentsWritten = 0;
  bytesWritten = 0;
  /** Limits of the nested calls in progress, innermost last (null: none, the usual case). */
  #frames: Frame[] | null = null;

  noteRead(bytes: number): void {
    this.documentsRead += 1;
    this.bytesRead += bytes;
    if (this.documentsRead > LIMITS.documentsRead)
      throw limitError(`Too many documents read in a single function execution (limit: ${LIMITS.documentsRead}).`);
    if (this.bytesRead > LIMITS.bytesRead)
      throw limitError(`Too many bytes read in a single function execution (limit: ${LIMITS.bytesRead} bytes).`);
    if (this.#frames) this.#checkFrames();
  }

  noteInterval(): void {
    this.readIntervals += 1;
    if (this.readIntervals > LIMITS.readIntervals)
      throw limitError(`Too many reads in a single function execution (limit: ${LIMITS.readIntervals}).`);
    if (this.#frames) this.#checkFrames();
  }

  noteWrite(bytes: number): void {
    this.documentsWritten += 1;
    this.bytesWritten += bytes;
    if (this.documentsWritten > LIMITS.documentsWritten)
      throw limitError(
        `Too many documents written in a single function execution (limit: ${LIMITS.documentsWritten}).`,
      );
    if (this.bytesWritten > LIMITS.bytesWritten)
      throw limitError(`Too many bytes written in a single function execution (limit: ${LIMITS.bytesWritten} bytes).`);
    if (this.#frames) this.#checkFrames();
  }

  /**
   * Runs a nested call under its own `transactionLimits` (checked by `parseTransactionLimits`):
   * each bounds what the nested call itself uses, and can only lower the global limits.
   */
  async withLimits<T>(limits: NestedLimits, run: () => Promise<T>): Promise<T> {
    const start = this.#counts();
    const max = { ...GLOBAL };
    for (const [name, value] of Object.entries(limits) as [Counted, number][]) max[name] = Math.min(max[name], value);
    const frame: Frame = { start, max };
    (this.#frames ??= []).push(frame);
    try {
      return await run();
    } finally {
      const i = this.#frames.lastIndexOf(frame);
      if (i >= 0) this.#frames.splice(i, 1);
      if (this.#frames.length === 0) this.#frames = null;
    }
  }

  #counts(): Record<Counted, number> {
    const { documentsRead, bytesRead, readIntervals, documentsWritten, bytesWritten } = this;
    return { documentsRead, bytesRead, readIntervals, documentsWritten, bytesWritten };
  }

  #checkFrames(): void {
    for (const f of this.#frames!) {
      for (const name of COUNTED) {
        if (this[name] - f.start[name] > f.max[name]) throw limitError(NESTED_TEXT[name](f.max[name]));
      }
    }
  }

  toJSON(): Record<string, { used: number; remaining: number }> {
    // Inside a limited nested call, "remaining" is the smaller of the global and the nested room.
    const room = (name: Counted) => {
      let r = GLOBAL[name] - this[name];
      for (const f of this.#frames ?? []) r = Math.min(r, f.max[name] - (this[name] - f.start[name]));
      return Math.max(0, r);
    };
    const m = (name: Counted) => ({ used: this[name], remaining: room(name) });
    return {
      bytesRead: m("bytesRead"),
      bytesWritten: m("bytesWritten"),
      databaseQueries: m("readIntervals"),
      documentsRead: m("documentsRead"),
      documentsWritten: m("documentsWritten"),
      functionsScheduled: { used: 0, remaining: 1000 },
      scheduledFunctionArgsBytes: { used: 0, remaining: 16 * 1024 * 1024 },
    };
  }
}

const COUNTED: readonly Counted[] = ["documentsRead", "bytesRead", "readIntervals", "documentsWritten", "bytesWritten"];
const GLOBAL: Record<Counted, number> = {
  documentsRead: LIMITS.documentsRead,
  bytesRead: LIMITS.bytesRead,
  readIntervals: LIMITS.readIntervals,
  documentsWritten: LIMITS.documentsWritten,
  bytesWritten: LIMITS.bytesWritten,
};
const NESTED_TEXT: Record<Counted, (max: number) => string> = {
  documentsRead: (n) => `Too many documents read in a single function execution (limit: ${n}).`,
  bytesRead: (n) => `Too many bytes read in a single function execution (limit: ${n} bytes).`,
  readIntervals: (n) => `Too many reads in a single function execution (limit: ${n}).`,
  documentsWritten: (n) => `Too many documents written in a single function execution (limit: ${n}).`,
  bytesWritten: (n) => `Too many bytes written in a single function execution (limit: ${n} bytes).`,
};

/** A nested call's limits, by the counter they bound. */
export type NestedLimits = Partial<Record<Counted, number>>;

/** `convex/server`'s `TransactionLimits` names → ours (`databaseQueries` counts read intervals). */
const WIRE_NAMES: Record<string, Counted> = {
  documentsRead: "documentsRead",
  bytesRead: "bytesRead",
  databaseQueries: "readIntervals",
  documentsWritten: "documentsWritten",
  bytesWritten: "bytesWritten",
};
/** Limits of things Tandem does not count yet (scheduling, files): accepted, nothing to bound. */
const UNCOUNTED = new Set([
  "functionsScheduled",
  "scheduledFunctionArgsBytes",
  "filesWritten",
  "fileWriteBytes",
  "filesRead",
  "fileReadBytes",
]);

/** The `transactionLimits` of a `1.0/runUdf` syscall; null when absent. */
export function parseTransactionLimits(raw: unknown): NestedLimits | null {
  if (raw === undefined || raw === null) return null;
  const invalid = (why: string) =>
    backendError("BadRequest", "InvalidTransactionLimits", `Invalid transactionLimits: ${why}`);
  if (typeof raw !== "object" || Array.isArray(raw)) throw invalid("expected an object");
  const out: NestedLimits = {};
  for (const [name, value] of Object.entries(raw)) {
    const counted = WIRE_NAMES[name];
    if (!counted && !UNCOUNTED.has(name)) throw invalid(`unknown limit ${JSON.stringify(name.slice(0, 64))}`);
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
      throw invalid(`${name} must be a non-negative number`);
    if (counted) out[counted] = Math.floor(value);
  }
  return out;
}

function limitError(message: string): TandemError {
  return backendError("BadRequest", "TooManyReadsOrWrites", message);
}
