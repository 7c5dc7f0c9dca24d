/**
 * Limits on values, arguments and documents (docs/semantics.md#limits): field names,
 * nesting, field and element counts, sizes, and well-formed `$` payloads. Each check returns the
 * first violation with a closed code and a message in Convex's wording, or null.
 */
import { backendError, type LimitCode } from "../errors.js";
import type { ConvexJSON } from "@tandem/storage";
import { typeOf, type JsonObject } from "./classify.js";
import { convexJsonSize } from "./size.js";

const MiB = 1 << 20;

export const LIMITS = {
  maxValueSize: 32 * MiB,
  maxNesting: 64,
  maxDocumentNesting: 16,
  maxObjectFields: 1024,
  maxArrayLength: 8192,
  maxFieldNameLength: 1024,
  maxDocumentSize: MiB,
  maxArgsSize: 16 * MiB,
  maxReturnSize: 16 * MiB,
} as const;

export type { LimitCode };

export interface LimitViolation {
  readonly code: LimitCode;
  readonly message: string;
}

/** `1.5 MiB`, `32 MiB`, `800 B`: sizes as the Rust backend's humansize prints them. */
export function formatSize(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const n = i === 0 ? String(v) : v.toFixed(2).replace(/\.?0+$/, "");
  return `${n} ${units[i]}`;
}

/** Why a field name is not allowed in a Convex object, or null (client `validateObjectField`). */
export function checkFieldName(name: string): string | null {
  if (name.length > LIMITS.maxFieldNameLength)
    return `Field name ${name} exceeds maximum field name length ${LIMITS.maxFieldNameLength}.`;
  if (name.startsWith("$")) return `Field name ${name} starts with a '$', which is reserved.`;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 32 || c >= 127)
      return `Field name ${name} has invalid character '${name[i]}': Field names can only contain non-control ASCII characters`;
  }
  return null;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const LONE_SURROGATE = /\p{Cs}/u;

function checkSpecial(value: JsonObject, t: "int64" | "float64" | "bytes" | "commitTs"): string | null {
  switch (t) {
    case "int64": {
      const s = value.$integer;
      return typeof s === "string" && BASE64.test(s) && Buffer.from(s, "base64").length === 8
        ? null
        : `Malformed $integer field on ${JSON.stringify(value)}`;
    }
    case "float64": {
      const s = value.$float;
      return typeof s === "string" && BASE64.test(s) && Buffer.from(s, "base64").length === 8
        ? null
        : `Malformed $float field on ${JSON.stringify(value)}`;
    }
    case "bytes": {
      const s = value.$bytes;
      return typeof s === "string" && BASE64.test(s) ? null : "Malformed $bytes field: not standard base64";
    }
    case "commitTs":
      return value.$commitTs === null ? null : `Malformed $commitTs field on ${JSON.stringify(value)}`;
    default:
      return t satisfies never;
  }
}

/**
 * Walks a value top-down, failing fast (so a hostile, deeply nested value cannot exhaust the
 * stack). Returns the violation or the value's nesting (containers count one level each).
 */
function walk(value: ConvexJSON, depth: number): LimitViolation | number {
  const t = typeOf(value);
  switch (t) {
    case "null":
    case "boolean":
      return 0;
    case "string":
      return LONE_SURROGATE.test(value as string)
        ? { code: "InvalidValue", message: "String contains an unpaired surrogate, which is not valid Unicode" }
        : 0;
    case "float64": {
      if (typeof value === "number") return 0;
      const msg = checkSpecial(value as JsonObject, t);
      return msg === null ? 0 : { code: "InvalidValue", message: msg };
    }
    case "int64":
    case "bytes":
    case "commitTs": {
      const msg = checkSpecial(value as JsonObject, t);
      return msg === null ? 0 : { code: "InvalidValue", message: msg };
    }
    case "array":
    case "object": {
      if (depth + 1 > LIMITS.maxNesting) {
        const n = LIMITS.maxNesting + 1;
        return {
          code: "TooNestedError",
          message: `Value is too nested (nested ${n} levels deep > maximum nesting ${LIMITS.maxNesting})`,
        };
      }
      let inner = 0;
      if (t === "array") {
        const items = value as ConvexJSON[];
        if (items.length > LIMITS.maxArrayLength)
          return {
            code: "ArrayTooLong",
            message: `Array length is too long (${items.length} > maximum length ${LIMITS.maxArrayLength})`,
          };
        for (const item of items) {
          const r = walk(item, depth + 1);
          if (typeof r !== "number") return r;
          if (r > inner) inner = r;
        }
      } else {
        const obj = value as JsonObject;
        const keys = Object.keys(obj);
        if (keys.length > LIMITS.maxObjectFields)
          return {
            code: "TooManyFieldsError",
            message: `Object has too many fields (${keys.length} > maximum number ${LIMITS.maxObjectFields})`,
          };
        for (const k of keys) {
          const bad = checkFieldName(k);
          if (bad !== null) return { code: "InvalidFieldName", message: bad };
          const r = walk(obj[k]!, depth + 1);
          if (typeof r !== "number") return r;
          if (r > inner) inner = r;
        }
      }
      return inner + 1;
    }
    default:
      return t satisfies never;
  }
}

/** Structure and size checks every stored or transmitted value must pass. */
export function checkValueLimits(value: ConvexJSON, maxSize: number = LIMITS.maxValueSize): LimitViolation | null {
  const r = walk(value, 0);
  if (typeof r !== "number") return r;
  const size = convexJsonSize(value);
  if (size > maxSize)
    return {
      code: "ValueTooLargeError",
      message: `Value is too large (${formatSize(size)} > maximum size ${formatSize(maxSize)})`,
    };
  return null;
}

/** The argument object of a function call: valid value, at most 16 MiB. */
export function checkArgsLimits(args: ConvexJSON): LimitViolation | null {
  const bad = checkValueLimits(args);
  if (bad) return bad;
  const size = convexJsonSize(args);
  return size > LIMITS.maxArgsSize
    ? {
        code: "ArgumentsTooLarge",
        message: `Function arguments are too large (${formatSize(size)} > maximum size ${formatSize(LIMITS.maxArgsSize)})`,
      }
    : null;
}

/** A function's return value: valid value, at most 16 MiB. */
export function checkReturnLimits(value: ConvexJSON): LimitViolation | null {
  const bad = checkValueLimits(value);
  if (bad) return bad;
  const size = convexJsonSize(value);
  return size > LIMITS.maxReturnSize
    ? {
        code: "ReturnValueTooLarge",
        message: `Function return value is too large (${formatSize(size)} > maximum size ${formatSize(LIMITS.maxReturnSize)})`,
      }
    : null;
}

/**
 * A document about to be written (with or without `_id`/`_creationTime`): a valid value, no other
 * top-level field starting with `_`, nesting ≤ 16, size ≤ 1 MiB.
 */
export function checkDocumentLimits(doc: ConvexJSON): LimitViolation | null {
  if (typeOf(doc) !== "object") return { code: "InvalidDocumentError", message: "A document must be an object" };
  const r = walk(doc, 0);
  if (typeof r !== "number") return r;
  for (const k in doc as JsonObject) {
    if (k.startsWith("_") && k !== "_id" && k !== "_creationTime")
      return {
        code: "InvalidDocumentError",
        message: `Field '${k}' starts with an underscore, which is only allowed for system fields like '_id'`,
      };
  }
  if (r > LIMITS.maxDocumentNesting)
    return {
      code: "InvalidDocumentError",
      message: `Document is too nested (nested ${r} levels deep > maximum nesting ${LIMITS.maxDocumentNesting})`,
    };
  const size = convexJsonSize(doc);
  if (size > LIMITS.maxDocumentSize)
    return {
      code: "DocumentTooLarge",
      message: `Document is too large (${formatSize(size)} > maximum size ${formatSize(LIMITS.maxDocumentSize)})`,
    };
  return null;
}

/** Throws the violation as a `BadRequest` `TandemError` (for callers that want exceptions). */
export function assertWithinLimits(violation: LimitViolation | null): void {
  if (violation) throw backendError("BadRequest", violation.code, violation.message);
}
