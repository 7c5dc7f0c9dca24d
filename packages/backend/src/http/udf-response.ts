/**
 * A function's outcome as the HTTP API answers it (docs/http-api.md#common-rules): always HTTP 200 with
 * `{status:"success",value,logLines?}` or `{status:"error",errorMessage,errorData?,logLines?}`.
 * `errorData` is present only for a `ConvexError` (never `null` for ordinary errors), because
 * `ConvexHttpClient` turns any present `errorData` into a `ConvexError`.
 */
import { newRequestId } from "../engine/random-pool.js";
import type { Outcome } from "../engine/types.js";
import type { ConvexJSON } from "@tandem/storage";
import { formatValue, RawJson, type ValueFormat } from "./format.js";
import { valueText } from "../engine/text-outcome.js";

export type UdfResponse =
  | { status: "success"; value: unknown; logLines?: readonly string[] }
  | { status: "error"; errorMessage: string; errorData?: unknown; logLines?: readonly string[] };

export { newRequestId };

export function serverErrorMessage(requestId: string, message: string): string {
  return `[Request ID: ${requestId}] Server Error\n${message}`;
}

export function udfResponse(outcome: Outcome<ConvexJSON>, format: ValueFormat, requestId: () => string): UdfResponse {
  const logs = outcome.logLines.length > 0 ? { logLines: outcome.logLines } : {};
  if (outcome.ok) {
    // The function's own text goes into the reply as is (format.ts RawJson).
    const json = format === "convex_encoded_json" ? valueText(outcome) : undefined;
    const value = json !== undefined ? new RawJson(json) : formatValue(outcome.value, format);
    return { status: "success", value, ...logs };
  }
  const data = outcome.error.data !== undefined ? { errorData: formatValue(outcome.error.data, format) } : {};
  return { status: "error", errorMessage: serverErrorMessage(requestId(), outcome.error.message), ...data, ...logs };
}

/** A failure decided before the engine ran (unknown function on the admin path, …). */
export function udfError(message: string, requestId: string): UdfResponse {
  return { status: "error", errorMessage: serverErrorMessage(requestId, message) };
}
