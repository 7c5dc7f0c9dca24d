/**
 * Output value formats of the HTTP API (docs/http-api.md#common-rules):
 * - `convex_encoded_json` (alias `convex_json`): Convex JSON as the engine produces it;
 * - `json` (alias `convex_clean_json`): lossy clean JSON — int64 as a decimal string, bytes as a
 *   base64 string, NaN/±Infinity as strings;
 * - `export_json`: int64 as a JSON number, bytes and special floats keep `$bytes`/`$float`.
 */
import { badRequest } from "../errors.js";
import type { ConvexJSON } from "@tandem/storage";

export type ValueFormat = "convex_encoded_json" | "json" | "export_json";

export function parseFormat(raw: unknown, fallback: ValueFormat): ValueFormat {
  if (raw === undefined || raw === null) return fallback;
  switch (raw) {
    case "convex_encoded_json":
    case "convex_json":
      return "convex_encoded_json";
    case "json":
    case "convex_clean_json":
      return "json";
    case "export_json":
      return "export_json";
    default:
      throw badRequest("BadFormat", `Invalid format: ${JSON.stringify(raw)}`);
  }
}

/** Clients newer than 1.4.1 get clean JSON unless they ask (Rust `default_format`); ours always ask. */
export const DEFAULT_FORMAT: ValueFormat = "json";

function int64FromBase64(b64: string): bigint {
  const bytes = Buffer.from(b64, "base64");
  if (bytes.length !== 8) throw badRequest("BadValue", "Malformed $integer value");
  return bytes.readBigInt64LE(0);
}

function floatFromBase64(b64: string): number {
  const bytes = Buffer.from(b64, "base64");
  if (bytes.length !== 8) throw badRequest("BadValue", "Malformed $float value");
  return bytes.readDoubleLE(0);
}

function specialFloatText(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  return n > 0 ? "Infinity" : n < 0 ? "-Infinity" : "-0";
}

/** A one-key `$…` object is a Convex encoding; user objects cannot have `$` field names. */
function encodedKey(obj: { [k: string]: ConvexJSON }): string | null {
  const keys = Object.keys(obj);
  return keys.length === 1 && keys[0]!.startsWith("$") ? keys[0]! : null;
}

export function formatValue(value: ConvexJSON, format: ValueFormat): unknown {
  switch (format) {
    case "convex_encoded_json":
      return value;
    case "json":
      return clean(value, "json");
    case "export_json":
      return clean(value, "export_json");
    default:
      return format satisfies never;
  }
}

function clean(value: ConvexJSON, format: "json" | "export_json"): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => clean(v, format));
  const key = encodedKey(value);
  if (key !== null) {
    const payload = value[key];
    if (typeof payload === "string") {
      switch (key) {
        case "$integer": {
          const n = int64FromBase64(payload);
          // A JSON number literal of any size: raw text keeps int64 precision for export_json.
          return format === "json" ? n.toString() : new RawNumber(n.toString());
        }
        case "$bytes":
          return format === "json" ? payload : value;
        case "$float":
          return format === "json" ? specialFloatText(floatFromBase64(payload)) : value;
      }
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = clean(v, format);
  return out;
}

/** Marks collected by the `stringifyWithRaw` call in progress (null outside one). */
let marks: string[] | null = null;

/** An integer that must be written as a bare JSON number without passing through a double. */
export class RawNumber {
  constructor(readonly digits: string) {}

  /** Called by `JSON.stringify`: a placeholder that `stringifyWithRaw` swaps for the digits. */
  toJSON(): string {
    if (!marks) return this.digits;
    marks.push(this.digits);
    return `\u0000RAW${marks.length - 1}\u0000`;
  }
}

/** A value already serialized (a function's result text): `stringifyWithRaw` writes it as is. */
export class RawJson {
  constructor(readonly json: string) {}

  toJSON(): unknown {
    if (!marks) return JSON.parse(this.json);
    marks.push(this.json);
    return `\u0000RAW${marks.length - 1}\u0000`;
  }
}

/**
 * `JSON.stringify` that writes `RawNumber`s as bare digits and `RawJson` as its text. No replacer function: values without
 * `RawNumber`s (all but `export_json` output) stay on V8's fast path.
 */
export function stringifyWithRaw(value: unknown): string {
  const saved = marks;
  const mine: string[] = [];
  marks = mine;
  let text: string;
  try {
    text = JSON.stringify(value);
  } finally {
    marks = saved;
  }
  if (mine.length === 0) return text;
  return text.replace(/"\\u0000RAW(\d+)\\u0000"/g, (_m, i: string) => mine[Number(i)]!);
}
