/**
 * A function's successful outcome kept as the JSON text its code produced (`invokeQuery` and
 * friends answer with text). The text crosses from a function thread to the main thread as one
 * string (no structured clone of the value) and goes into an HTTP reply as is (no second
 * `JSON.stringify`); `value` is parsed only if something reads it (validators, other formats,
 * sync transitions).
 */
import type { ConvexJSON } from "@tandem/storage";

export interface TextValue {
  /** `value` as JSON text. */
  readonly json: string;
}

/** `rest` plus `ok: true`, `json`, and `value` parsed from `json` on first read. */
export function textOutcome<T extends object>(
  json: string,
  rest: T,
): T & { readonly ok: true; readonly value: ConvexJSON; readonly json: string } {
  const o = { ok: true, json, ...rest } as T & { ok: true; value: ConvexJSON; json: string };
  let parsed: ConvexJSON | undefined;
  // Enumerable, so spreads and structured clones still carry the value (they read it).
  Object.defineProperty(o, "value", {
    enumerable: true,
    get: () => (parsed ??= JSON.parse(json) as ConvexJSON),
  });
  return o;
}

/** The text of an outcome's value, when it was kept (see `textOutcome`). */
export function valueText(outcome: object): string | undefined {
  const json = (outcome as Partial<TextValue>).json;
  return typeof json === "string" ? json : undefined;
}
