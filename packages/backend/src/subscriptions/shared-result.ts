/**
 * One query result, serialized once and shared by every connection subscribed to it: the
 * modification's JSON minus its `queryId`, and a hash to tell whether it changed (docs/sync-protocol.md#server-messages).
 */
import { createHash, randomBytes } from "node:crypto";
import type { KeyRange, Timestamp } from "@tandem/storage";
import type { QueryResult } from "../engine/types.js";

export interface SharedResult {
  /** Snapshot the query read. */
  readonly ts: Timestamp;
  /** First commit timestamp at which this result stopped being current; null = still current. */
  validUntil: Timestamp | null;
  readonly readSet: readonly KeyRange[];
  readonly journal: string | null;
  /** sha256 of value/error + log lines + journal. */
  readonly hash: string;
  /** Appended after `{"queryId":N` to form a `QueryUpdated`/`QueryFailed` modification. */
  readonly wireTail: string;
}

/** `[Request ID: …] Server Error\n` prefix the official clients expect on function errors. */
export function serverErrorMessage(message: string): string {
  return `[Request ID: ${randomBytes(8).toString("hex")}] Server Error\n${message}`;
}

export function toSharedResult(res: QueryResult, validUntil: Timestamp | null): SharedResult {
  const logLines = JSON.stringify(res.logLines);
  const journal = JSON.stringify(res.journal);
  let tail: string;
  let hashed: string;
  if (res.ok) {
    const value = JSON.stringify(res.value);
    tail = `,"type":"QueryUpdated","value":${value},"logLines":${logLines},"journal":${journal}}`;
    hashed = `ok\u0000${value}`;
  } else {
    const data = res.error.data === undefined ? "" : `,"errorData":${JSON.stringify(res.error.data)}`;
    const message = JSON.stringify(serverErrorMessage(res.error.message));
    tail = `,"type":"QueryFailed","errorMessage":${message},"logLines":${logLines},"journal":${journal}${data}}`;
    hashed = `err\u0000${res.error.message}\u0000${data}`;
  }
  const hash = createHash("sha256").update(hashed).update("\u0000").update(logLines).update(journal).digest("base64");
  return { ts: res.ts, validUntil, readSet: res.readSet, journal: res.journal, hash, wireTail: tail };
}
