/**
 * The checks around a function call, with Convex's error texts: its arguments against its `args`
 * validator (and the size limits), its value against `returns`. Shared by the engine (inline and
 * actions) and the function threads.
 */
import type { ConvexJSON } from "@tandem/storage";
import { backendError } from "../errors.js";
import { checkArgsLimits, validateArgs, validateReturns, type ValidationContext } from "../values/index.js";
import type { FunctionMetadata } from "../engine/deployment.js";
import type { RunOutput } from "../engine/execute.js";
import { validatorsOf } from "./loaded-deployment.js";

/** Throws `ArgumentValidationError` when `args` do not match the function's `args` validator. */
export function checkArgsMatch(meta: FunctionMetadata, args: ConvexJSON, ctx: ValidationContext): void {
  const msg = validateArgs(validatorsOf(meta).args, args, ctx);
  if (msg) throw backendError("BadRequest", "ArgumentValidationError", msg);
}

/** Throws when a call's arguments break the size, nesting or count limits. */
export function checkArgumentLimits(args: ConvexJSON): void {
  const limit = checkArgsLimits(args);
  if (limit) throw backendError("BadRequest", "ArgumentsTooLarge", limit.message);
}

/** A top-level call's arguments: within the size limits, then matching the validator. */
export function checkArguments(meta: FunctionMetadata, args: ConvexJSON, ctx: ValidationContext): void {
  checkArgumentLimits(args);
  checkArgsMatch(meta, args, ctx);
}

/** `out`, or a failure with `ReturnsValidationError` when its value does not match `returns`. */
export function checkReturnValue(meta: FunctionMetadata, out: RunOutput, ctx: ValidationContext): RunOutput {
  if (!out.ok || meta.returns === null) return out;
  // A function without `returns` has the validator `"null"`: reading `out.value` would parse a
  // value kept as text (engine/text-outcome.ts) for nothing.
  const returns = validatorsOf(meta).returns;
  if (returns === null) return out;
  const msg = validateReturns(returns, out.value, ctx);
  return msg ? { ok: false, error: { message: msg }, logLines: out.logLines, journal: out.journal } : out;
}
