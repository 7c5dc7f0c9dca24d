/**
 * One query result, shared by every connection subscribed to it, with a hash to tell whether it
 * changed (docs/sync-protocol.md#server-messages). The value is serialized once here (the hash needs its text); turning the
 * result into a protocol message is the sync layer's job (`sync/server-messages.ts`).
 */
import { valueText } from "../engine/text-outcome.js";
import { createHash } from "node:crypto";
import type { KeyRange, Timestamp } from "@tandem/storage";
import type { FunctionError, QueryResult } from "../engine/types.js";

export type SharedOutcome =
  | { readonly ok: true; /** The value as JSON text (Convex JSON encoding). */ readonly valueJson: string }
  | { readonly ok: false; readonly error: FunctionError };

export interface SharedResult {
  /** Snapshot the query read. */
  readonly ts: Timestamp;
  /** First commit timestamp at which this result stopped being current; null = still current. */
  validUntil: Timestamp | null;
  readonly readSet: readonly KeyRange[];
  readonly journal: string | null;
  readonly outcome: SharedOutcome;
  readonly logLines: readonly string[];
  /** sha256 of value/error + log lines + journal. */
  readonly hash: string;
}

export function toSharedResult(res: QueryResult, validUntil: Timestamp | null): SharedResult {
  let outcome: SharedOutcome;
  let hashed: string;
  if (res.ok) {
    // The function's own text when it was kept (engine/text-outcome.ts): no parse and re-stringify.
    const valueJson = valueText(res) ?? JSON.stringify(res.value);
    outcome = { ok: true, valueJson };
    hashed = `ok\u0000${valueJson}`;
  } else {
    const data = res.error.data === undefined ? "" : JSON.stringify(res.error.data);
    outcome = { ok: false, error: res.error };
    hashed = `err\u0000${res.error.message}\u0000${data}`;
  }
  const hash = createHash("sha256")
    .update(hashed)
    .update("\u0000")
    .update(JSON.stringify(res.logLines))
    .update(JSON.stringify(res.journal))
    .digest("base64");
  return { ts: res.ts, validUntil, readSet: res.readSet, journal: res.journal, outcome, logLines: res.logLines, hash };
}
