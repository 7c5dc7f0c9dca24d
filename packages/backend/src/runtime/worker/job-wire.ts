/**
 * Jobs and their results as they cross between the main thread and a function thread: strings,
 * not object trees. Instruction counts of a point query put a third of the main thread in
 * receiving results (`ValueDeserializer` walks every object, and the garbage it makes is
 * collected there too) and a tenth in sending jobs; a string crosses as one copy. A job is its
 * JSON text (the snapshot ts as a decimal string); a result is an array of strings: a small
 * JSON header (id, outcome without its value, log lines, journal), the value's JSON text, then
 * the read set and prepared writes (packed-job.ts).
 */
import type { KeyRange, PreparedCommit, Timestamp } from "@tandem/storage";
import type { FunctionError } from "../../engine/types.js";
import { packJob, unpackJob } from "./packed-job.js";
import { NO_PREPARED_WRITES, type JobOutcome, type RunJob } from "./protocol.js";

/** Arguments were JSON to begin with (the function receives them as JSON text too: invoke.ts). */
export function encodeJob(job: RunJob): string {
  // No replacer: one would be called for every value of the arguments.
  return JSON.stringify({ ...job, ts: String(job.ts) });
}

export function decodeJob(text: string): RunJob {
  const job = JSON.parse(text) as { ts: string | Timestamp };
  job.ts = BigInt(job.ts) as Timestamp;
  return job as unknown as RunJob;
}

/** A finished job on the wire: `[header, value JSON or "", packed text or "", ...document texts]`. */
export type DoneWire = string[];

interface Header {
  readonly id: number;
  readonly logLines: readonly string[];
  readonly journal: string | null;
  /** Absent when the job succeeded. */
  readonly error?: FunctionError;
  /** Present (true) when the function read the clock. */
  readonly time?: true;
}

/** `valueJson` is the value's text when the job succeeded. */
export function encodeDone(
  id: number,
  out:
    | { readonly ok: true; readonly logLines: readonly string[]; readonly journal: string | null }
    | {
        readonly ok: false;
        readonly error: FunctionError;
        readonly logLines: readonly string[];
        readonly journal: string | null;
      },
  valueJson: string,
  readSet: readonly KeyRange[],
  prepared: PreparedCommit,
  observedTime = false,
): DoneWire {
  const base = observedTime
    ? { id, logLines: out.logLines, journal: out.journal, time: true as const }
    : { id, logLines: out.logLines, journal: out.journal };
  const header: Header = out.ok ? base : { ...base, error: out.error };
  if (readSet.length === 0 && prepared.writes.length === 0) return [JSON.stringify(header), valueJson, ""];
  const packed = packJob(readSet, prepared);
  return [JSON.stringify(header), valueJson, packed.text, ...packed.docs];
}

export function decodeDone(wire: DoneWire): {
  id: number;
  out: JobOutcome;
  readSet: KeyRange[];
  prepared: PreparedCommit;
  observedTime: boolean;
} {
  const h = JSON.parse(wire[0]!) as Header;
  const logLines = h.logLines as string[];
  const out: JobOutcome =
    h.error === undefined
      ? { ok: true, json: wire[1]!, logLines, journal: h.journal }
      : { ok: false, error: h.error, logLines, journal: h.journal };
  const text = wire[2]!;
  const observedTime = h.time === true;
  if (text === "") return { id: h.id, out, readSet: [], prepared: NO_PREPARED_WRITES, observedTime };
  return { id: h.id, out, observedTime, ...unpackJob({ text, docs: wire.slice(3) }) };
}
