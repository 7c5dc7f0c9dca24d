/**
 * How a thrown value becomes the error clients see (docs/architecture.md#invocation): `Uncaught <Name>: <message>`
 * plus the stack frames inside pushed modules; a `ConvexError` carries its data as Convex JSON.
 */
import type { ConvexJSON } from "@tandem/storage";
import { isTandemError } from "@tandem/shared";
import type { FunctionError } from "../engine/types.js";

const CONVEX_ERROR = Symbol.for("ConvexError");

export function toFunctionError(thrown: unknown): FunctionError {
  if (thrown && typeof thrown === "object") {
    const e = thrown as { name?: unknown; message?: unknown; stack?: unknown; data?: unknown };
    if (CONVEX_ERROR in e || "ConvexErrorSymbol" in e) {
      let data: ConvexJSON = null;
      try {
        data = typeof e.data === "string" ? (JSON.parse(e.data) as ConvexJSON) : ((e.data ?? null) as ConvexJSON);
      } catch {
        data = null;
      }
      return { message: `Uncaught ConvexError: ${String(e.message)}${frames(e.stack)}`, data };
    }
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
