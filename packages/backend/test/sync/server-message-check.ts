/**
 * Runtime check that a parsed server message has exactly the shape of one `ServerMessage` variant
 * (src/sync/server-message-types.ts): required fields with the right types, optional ones absent or
 * typed, and no other fields. Returns the problems found (empty = conforms).
 */
import type { ServerMessage } from "../../src/sync/server-message-types.js";

type Check = (v: unknown) => boolean;
type Shape = Record<string, { check: Check; optional?: true }>;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const str: Check = (v) => typeof v === "string";
const u32: Check = (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffff_ffff;
const num: Check = (v) => typeof v === "number" && Number.isFinite(v);
const bool: Check = (v) => typeof v === "boolean";
const json: Check = (v) => v !== undefined;
const lit =
  (x: unknown): Check =>
  (v) =>
    v === x;
const nullOr =
  (c: Check): Check =>
  (v) =>
    v === null || c(v);
const strings: Check = (v) => Array.isArray(v) && v.every((x) => typeof x === "string");
/** Canonical base64 of exactly 8 bytes, as the official client's `longToU64` writes it. */
const encodedTs: Check = (v) =>
  typeof v === "string" && v.length === 12 && Buffer.from(v, "base64").toString("base64") === v;
const req = (check: Check) => ({ check });
const opt = (check: Check) => ({ check, optional: true as const });

function conforms(v: unknown, shape: Shape, at: string, problems: string[]): void {
  if (!isObj(v)) return void problems.push(`${at}: not an object`);
  for (const [k, { check, optional }] of Object.entries(shape)) {
    if (!(k in v)) {
      if (!optional) problems.push(`${at}.${k}: missing`);
    } else if (!check(v[k])) problems.push(`${at}.${k}: bad value ${JSON.stringify(v[k])}`);
  }
  for (const k of Object.keys(v)) if (!(k in shape)) problems.push(`${at}.${k}: not in the type`);
}

const version: Check = (v) => {
  const p: string[] = [];
  conforms(v, { querySet: req(u32), identity: req(u32), ts: req(encodedTs) }, "version", p);
  return p.length === 0;
};

const MODIFICATIONS: Record<string, Shape> = {
  QueryUpdated: {
    type: req(str),
    queryId: req(u32),
    value: req(json),
    logLines: req(strings),
    journal: req(nullOr(str)),
  },
  QueryFailed: {
    type: req(str),
    queryId: req(u32),
    errorMessage: req(str),
    logLines: req(strings),
    journal: req(nullOr(str)),
    errorData: opt(json),
  },
  QueryRemoved: { type: req(str), queryId: req(u32) },
};

function shapeOf(m: Record<string, unknown>): Shape | null {
  const base = { type: req(str) };
  switch (m.type as ServerMessage["type"]) {
    case "Transition":
      return {
        ...base,
        startVersion: req(version),
        endVersion: req(version),
        modifications: req(Array.isArray),
        clientClockSkew: opt(num),
        serverTs: opt(num),
      };
    case "TransitionChunk":
      return { ...base, chunk: req(str), partNumber: req(u32), totalParts: req(u32), transitionId: req(str) };
    case "MutationResponse":
      return m.success === true
        ? {
            ...base,
            requestId: req(u32),
            success: req(lit(true)),
            result: req(json),
            ts: req(encodedTs),
            logLines: req(strings),
          }
        : {
            ...base,
            requestId: req(u32),
            success: req(lit(false)),
            result: req(str),
            ts: req(lit(null)),
            logLines: req(strings),
            errorData: opt(json),
          };
    case "ActionResponse":
      return m.success === true
        ? { ...base, requestId: req(u32), success: req(lit(true)), result: req(json), logLines: req(strings) }
        : {
            ...base,
            requestId: req(u32),
            success: req(lit(false)),
            result: req(str),
            logLines: req(strings),
            errorData: opt(json),
          };
    case "AuthError":
      return { ...base, error: req(str), baseVersion: req(u32), authUpdateAttempted: req(bool) };
    case "FatalError":
      return { ...base, error: req(str) };
    case "Ping":
      return base;
    default:
      return null;
  }
}

export function serverMessageProblems(v: unknown): string[] {
  if (!isObj(v)) return ["not an object"];
  const shape = shapeOf(v);
  if (!shape) return [`unknown type ${JSON.stringify(v.type)}`];
  const problems: string[] = [];
  conforms(v, shape, String(v.type), problems);
  if (v.type === "Transition" && Array.isArray(v.modifications)) {
    v.modifications.forEach((mod, i) => {
      const s = isObj(mod) ? MODIFICATIONS[String(mod.type)] : undefined;
      if (!s) problems.push(`modifications[${i}]: unknown modification ${JSON.stringify(isObj(mod) ? mod.type : mod)}`);
      else conforms(mod, s, `modifications[${i}]`, problems);
    });
  }
  return problems;
}
