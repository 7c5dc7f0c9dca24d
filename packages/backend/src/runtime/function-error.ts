/**
 * How a thrown value becomes the error clients see (docs/architecture.md#invocation): `Uncaught <Name>: <message>`
 * plus the stack frames inside pushed modules; a `ConvexError` carries its data as Convex JSON.
 */
import type { ConvexJSON } from "@tandem/storage";
import { isTandemError } from "@tandem/shared";
import type { FunctionError } from "../engine/types.js";

const CONVEX_ERROR = Symbol.for("ConvexError");

/**
 * A thrown `ConvexError` (the bundled package's, known by its symbol): its message and its data
 * as Convex JSON. Inside the runtime the data travels as JSON text; text that is not JSON is
 * kept as a string.
 */
export function unwrapConvexError(thrown: unknown): { readonly message: string; readonly data: ConvexJSON } | null {
  if (!thrown || typeof thrown !== "object" || !(CONVEX_ERROR in thrown || "ConvexErrorSymbol" in thrown)) return null;
  const e = thrown as { message?: unknown; data?: unknown };
  let data: ConvexJSON = (e.data ?? null) as ConvexJSON;
  if (typeof e.data === "string") {
    try {
      data = JSON.parse(e.data) as ConvexJSON;
    } catch {
      data = e.data;
    }
  }
  return { message: String(e.message), data };
}

export function toFunctionError(thrown: unknown): FunctionError {
  if (thrown && typeof thrown === "object") {
    const e = thrown as { name?: unknown; message?: unknown; stack?: unknown; data?: unknown };
    const convexError = unwrapConvexError(thrown);
    if (convexError)
      return { message: `Uncaught ConvexError: ${convexError.message}${frames(e.stack)}`, data: convexError.data };
    if (isTandemError(thrown)) return { message: thrown.message };
    const name = typeof e.name === "string" ? e.name : "Error";
    return { message: `Uncaught ${name}: ${String(e.message ?? "")}${frames(e.stack)}` };
  }
  return { message: `Uncaught ${String(thrown)}` };
}

/** Stack frames that point into pushed code (`../convex/…`), as Convex prints them. */
function frames(stack: unknown): string {
  if (typeof stack !== "string") return "";
  const lines = stack
    .split("\n")
    .filter((l) => /^\s+at /.test(l) && l.includes("../convex/"))
    .slice(0, 10)
    .map((l) => "    " + l.trim());
  return lines.length ? "\n" + lines.join("\n") : "";
}
