/**
 * Evaluation of `.filter(...)` expressions (docs/architecture.md#serialized-queries): comparisons in Convex's total order,
 * checked Int64 arithmetic, boolean logic over JSON-encoded expression trees.
 */
import { compareValues, type Value } from "convex/values";
import { fromConvexJSONOrUndefined, getFieldPath, type ConvexJSON } from "@tandem/storage";
import { badRequest } from "../../errors.js";

type V = Value | undefined;
type Expr = { [op: string]: ConvexJSON };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function evaluate(expr: ConvexJSON, doc: Value): V {
  if (expr === null || typeof expr !== "object" || Array.isArray(expr))
    throw badRequest("InvalidFilter", `Invalid filter expression: ${JSON.stringify(expr)}`);
  const [op, arg] = Object.entries(expr as Expr)[0] ?? [];
  switch (op) {
    case "$field":
      return getFieldPath(doc, String(arg));
    case "$literal":
      return fromConvexJSONOrUndefined(arg as ConvexJSON);
    case "$eq":
    case "$neq":
    case "$lt":
    case "$lte":
    case "$gt":
    case "$gte": {
      const [a, b] = pair(arg, doc);
      const c = compareValues(a, b);
      return op === "$eq"
        ? c === 0
        : op === "$neq"
          ? c !== 0
          : op === "$lt"
            ? c < 0
            : op === "$lte"
              ? c <= 0
              : op === "$gt"
                ? c > 0
                : c >= 0;
    }
    case "$add":
    case "$sub":
    case "$mul":
    case "$div":
    case "$mod":
      return arithmetic(op, ...pair(arg, doc));
    case "$neg": {
      const x = evaluate(arg as ConvexJSON, doc);
      if (typeof x === "bigint") return checked(-x);
      if (typeof x === "number") return -x;
      throw badRequest("EvalError", `Cannot negate ${describe(x)}`);
    }
    case "$and":
    case "$or": {
      const items = Array.isArray(arg) ? arg : [];
      for (const item of items) {
        const v = evaluate(item, doc);
        if (typeof v !== "boolean") throw badRequest("EvalError", `Expected a boolean in ${op}, got ${describe(v)}`);
        if (op === "$and" && !v) return false;
        if (op === "$or" && v) return true;
      }
      return op === "$and";
    }
    case "$not": {
      const v = evaluate(arg as ConvexJSON, doc);
      if (typeof v !== "boolean") throw badRequest("EvalError", `Expected a boolean in $not, got ${describe(v)}`);
      return !v;
    }
    default:
      throw badRequest("InvalidFilter", `Unknown filter operator ${String(op)}`);
  }
}

function pair(arg: ConvexJSON | undefined, doc: Value): [V, V] {
  if (!Array.isArray(arg) || arg.length !== 2) throw badRequest("InvalidFilter", "Binary operator needs two operands");
  return [evaluate(arg[0]!, doc), evaluate(arg[1]!, doc)];
}

function checked(x: bigint): bigint {
  if (x < INT64_MIN || x > INT64_MAX) throw badRequest("EvalError", "Int64 overflow");
  return x;
}

function arithmetic(op: string, a: V, b: V): V {
  if (typeof a === "bigint" && typeof b === "bigint") {
    switch (op) {
      case "$add":
        return checked(a + b);
      case "$sub":
        return checked(a - b);
      case "$mul":
        return checked(a * b);
      case "$div":
        if (b === 0n) throw badRequest("EvalError", "Division by zero");
        return checked(a / b);
      default:
        if (b === 0n) throw badRequest("EvalError", "Division by zero");
        return a % b;
    }
  }
  if (typeof a === "number" && typeof b === "number") {
    switch (op) {
      case "$add":
        return a + b;
      case "$sub":
        return a - b;
      case "$mul":
        return a * b;
      case "$div":
        return a / b;
      default:
        return a % b;
    }
  }
  const verb = { $add: "add", $sub: "subtract", $mul: "multiply", $div: "divide", $mod: "mod" }[op] ?? op;
  throw badRequest("EvalError", `Cannot ${verb} ${describe(a)} and ${describe(b)}`);
}

function describe(v: V): string {
  if (v === undefined) return "undefined";
  if (typeof v === "bigint") return `${v}n (int64)`;
  if (typeof v === "number") return `${v} (float64)`;
  return JSON.stringify(v) ?? String(v);
}
