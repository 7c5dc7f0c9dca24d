/**
 * Server → client messages (docs/sync-protocol.md#server-messages), encoded straight to JSON text: every protocol JSON the
 * server writes is built here. Each encoder's output parses to the `ServerMessage` type it names
 * (`server-message-types.ts`; checked by test/sync/server-messages.test.ts). Optional fields the
 * client tests with `=== undefined` (`errorData`, `clientClockSkew`, `serverTs`) are omitted, never
 * sent as null.
 */
import { randomBytes } from "node:crypto";
import type { ConvexJSON } from "@tandem/storage";
import type { FunctionError } from "../engine/types.js";
import type { SharedResult } from "../subscriptions/shared-result.js";
import type * as msg from "./server-message-types.js";
import { encodeTs } from "./ts-codec.js";
import { valueText } from "../engine/text-outcome.js";

/** `[Request ID: …] Server Error\n` prefix the official clients expect on function errors. */
export function serverErrorMessage(message: string): string {
  return `[Request ID: ${randomBytes(8).toString("hex")}] Server Error\n${message}`;
}

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

/**
 * The last Transition head built (type and both versions): every connection a commit wakes with the
 * same versions (the fan-out case) shares it, so each builds only its modifications and tail.
 */
let lastHead = { start: INITIAL_VERSION, end: INITIAL_VERSION, text: "" };
const sameVersion = (a: StateVersion, b: StateVersion) =>
  a.ts === b.ts && a.querySet === b.querySet && a.identity === b.identity;

function transitionHead(start: StateVersion, end: StateVersion): string {
  const last = lastHead;
  if (last.text !== "" && sameVersion(last.start, start) && sameVersion(last.end, end)) return last.text;
  const text = `{"type":"Transition","startVersion":${version(start)},"endVersion":${version(end)},"modifications":[`;
  lastHead = { start: { ...start }, end: { ...end }, text };
  return text;
}

/**
 * A `Transition`; `modifications` are already-serialized `QueryUpdated`/`QueryFailed`/`QueryRemoved`
 * objects (`queryModification`, `queryRemoved`).
 */
export function transitionMessage(
  start: StateVersion,
  end: StateVersion,
  modifications: readonly string[],
  clientClockSkew: number | null,
): string {
  const skew = clientClockSkew === null ? "" : `,"clientClockSkew":${Math.round(clientClockSkew)}`;
  const mods = modifications.length === 1 ? modifications[0]! : modifications.join(",");
  return `${transitionHead(start, end)}${mods}]${skew},"serverTs":${Date.now() * 1_000_000}}`;
}

/** A `QueryRemoved` modification. */
export const queryRemoved = (queryId: number) => `{"type":"QueryRemoved","queryId":${queryId}}`;

/**
 * A result's `QueryUpdated`/`QueryFailed` modification minus its leading `{"queryId":N`, encoded
 * the first time any connection sends the result and shared by all the others (the fan-out cost of
 * a commit is one encoding per result, not per connection).
 */
const resultTails = new WeakMap<SharedResult, string>();

function resultTail(r: SharedResult): string {
  let tail = resultTails.get(r);
  if (tail !== undefined) return tail;
  const logLines = JSON.stringify(r.logLines);
  const journal = JSON.stringify(r.journal);
  const o = r.outcome;
  if (o.ok) {
    tail = `,"type":"QueryUpdated","value":${o.valueJson},"logLines":${logLines},"journal":${journal}}`;
  } else {
    const data = o.error.data === undefined ? "" : `,"errorData":${JSON.stringify(o.error.data)}`;
    const message = JSON.stringify(serverErrorMessage(o.error.message));
    tail = `,"type":"QueryFailed","errorMessage":${message},"logLines":${logLines},"journal":${journal}${data}}`;
  }
  resultTails.set(r, tail);
  return tail;
}

export const queryModification = (queryId: number, r: SharedResult) => `{"queryId":${queryId}${resultTail(r)}`;

type Outcome =
  | { readonly ok: true; readonly value: ConvexJSON; readonly logLines: readonly string[] }
  | { readonly ok: false; readonly error: FunctionError; readonly logLines: readonly string[] };

function failure(error: FunctionError): { success: false; result: string; errorData?: ConvexJSON } {
  return {
    success: false,
    result: serverErrorMessage(error.message),
    ...(error.data === undefined ? {} : { errorData: error.data }),
  };
}

export function mutationResponse(requestId: number, outcome: Outcome, ts: bigint | null): string {
  const json = outcome.ok ? valueText(outcome) : undefined;
  // The same fields in the same order as the object below, with the function's text as `result`.
  if (json !== undefined)
    return (
      `{"type":"MutationResponse","requestId":${requestId},"success":true,"result":${json},` +
      `"ts":"${encodeTs(ts ?? 0n)}","logLines":${JSON.stringify(outcome.logLines)}}`
    );
  const message: msg.MutationResponse = outcome.ok
    ? {
        type: "MutationResponse",
        requestId,
        success: true,
        result: outcome.value,
        ts: encodeTs(ts ?? 0n),
        logLines: outcome.logLines,
      }
    : { type: "MutationResponse", requestId, ...failure(outcome.error), ts: null, logLines: outcome.logLines };
  return JSON.stringify(message);
}

export function actionResponse(requestId: number, outcome: Outcome): string {
  const message: msg.ActionResponse = outcome.ok
    ? { type: "ActionResponse", requestId, success: true, result: outcome.value, logLines: outcome.logLines }
    : { type: "ActionResponse", requestId, ...failure(outcome.error), logLines: outcome.logLines };
  return JSON.stringify(message);
}

export function authError(error: string, baseVersion: number, authUpdateAttempted: boolean): string {
  return JSON.stringify({ type: "AuthError", error, baseVersion, authUpdateAttempted } satisfies msg.AuthError);
}

export const fatalError = (error: string) => JSON.stringify({ type: "FatalError", error } satisfies msg.FatalError);

export const PING = JSON.stringify({ type: "Ping" } satisfies msg.Ping);

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
    JSON.stringify({
      type: "TransitionChunk",
      chunk,
      partNumber,
      totalParts: pieces.length,
      transitionId,
    } satisfies msg.TransitionChunk),
  );
}
