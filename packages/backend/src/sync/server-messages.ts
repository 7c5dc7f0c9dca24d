/**
 * Server → client messages (docs/sync-protocol.md#server-messages), encoded straight to JSON text. Optional fields the
 * client tests with `=== undefined` (`errorData`, `clientClockSkew`, `serverTs`) are omitted, never
 * sent as null.
 */
import type { ConvexJSON } from "@tandem/storage";
import type { FunctionError } from "../engine/types.js";
import { serverErrorMessage } from "../subscriptions/shared-result.js";
import { encodeTs } from "./ts-codec.js";

export interface StateVersion {
  readonly querySet: number;
  readonly identity: number;
  readonly ts: bigint;
}

export const INITIAL_VERSION: StateVersion = { querySet: 0, identity: 0, ts: 0n };

/**
 * Every connection's Transition after a commit names the same two timestamps (the one it starts
 * from and the new one): the last few encodings are kept.
 */
const tsTexts = new Map<bigint, string>();
function tsText(ts: bigint): string {
  let text = tsTexts.get(ts);
  if (text === undefined) {
    if (tsTexts.size >= 8) tsTexts.delete(tsTexts.keys().next().value!);
    text = encodeTs(ts);
    tsTexts.set(ts, text);
  }
  return text;
}

const version = (v: StateVersion) => `{"querySet":${v.querySet},"identity":${v.identity},"ts":"${tsText(v.ts)}"}`;

/** `modifications` are already-serialized `QueryUpdated`/`QueryFailed`/`QueryRemoved` objects. */
export function transitionMessage(
  start: StateVersion,
  end: StateVersion,
  modifications: readonly string[],
  clientClockSkew: number | null,
): string {
  const skew = clientClockSkew === null ? "" : `,"clientClockSkew":${Math.round(clientClockSkew)}`;
  return (
    `{"type":"Transition","startVersion":${version(start)},"endVersion":${version(end)},` +
    `"modifications":[${modifications.join(",")}]${skew},"serverTs":${Date.now() * 1_000_000}}`
  );
}

export const queryRemoved = (queryId: number) => `{"type":"QueryRemoved","queryId":${queryId}}`;

type Outcome =
  | { readonly ok: true; readonly value: ConvexJSON; readonly logLines: readonly string[] }
  | { readonly ok: false; readonly error: FunctionError; readonly logLines: readonly string[] };

function failure(error: FunctionError) {
  return {
    success: false as const,
    result: serverErrorMessage(error.message),
    ...(error.data === undefined ? {} : { errorData: error.data }),
  };
}

export function mutationResponse(requestId: number, outcome: Outcome, ts: bigint | null): string {
  const body = outcome.ok
    ? { success: true, result: outcome.value, ts: encodeTs(ts ?? 0n) }
    : { ...failure(outcome.error), ts: null };
  return JSON.stringify({ type: "MutationResponse", requestId, ...body, logLines: outcome.logLines });
}

export function actionResponse(requestId: number, outcome: Outcome): string {
  const body = outcome.ok ? { success: true, result: outcome.value } : failure(outcome.error);
  return JSON.stringify({ type: "ActionResponse", requestId, ...body, logLines: outcome.logLines });
}

export function authError(error: string, baseVersion: number, authUpdateAttempted: boolean): string {
  return JSON.stringify({ type: "AuthError", error, baseVersion, authUpdateAttempted });
}

export const fatalError = (error: string) => JSON.stringify({ type: "FatalError", error });

export const PING = `{"type":"Ping"}`;

/**
 * Splits a large Transition into `TransitionChunk`s of at most `maxBytes` UTF-8 bytes each, cut on
 * code point boundaries; the client concatenates the chunks and parses the result (docs/sync-protocol.md#transition-chunks).
 */
export function transitionChunks(transition: string, maxBytes: number, transitionId: string): string[] {
  const bytes = Buffer.from(transition, "utf8");
  const pieces: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(bytes.length, start + maxBytes);
    // Never cut inside a multi-byte sequence (continuation bytes are 0b10xxxxxx).
    while (end < bytes.length && end > start + 1 && (bytes[end]! & 0xc0) === 0x80) end--;
    pieces.push(bytes.toString("utf8", start, end));
    start = end;
  }
  return pieces.map((chunk, partNumber) =>
    JSON.stringify({ type: "TransitionChunk", chunk, partNumber, totalParts: pieces.length, transitionId }),
  );
}
