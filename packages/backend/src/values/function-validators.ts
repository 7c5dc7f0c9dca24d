/**
 * The three places Convex checks values against validators, each with its own message prefix:
 * function arguments, function return values, and documents written to a table with a schema.
 */
import type { ConvexJSON } from "@tandem/storage";
import type { ValidatorJSON } from "convex/values";
import { typeOf, type JsonObject } from "./classify.js";
import { displayValue } from "./display.js";
import { validateValue, type ValidationContext } from "./validate.js";

/**
 * Checks the argument object of a call against the function's `exportArgs()` validator
 * (`{"type":"any"}` means unvalidated). Returns null or the message the caller sees.
 */
export function validateArgs(args: ValidatorJSON, value: ConvexJSON, ctx: ValidationContext): string | null {
  if (args.type === "any") return null;
  if (args.type === "object" && typeOf(value) !== "object") {
    return `Expected to receive an object as the function's argument. Instead received: ${displayValue(value)}`;
  }
  const msg = validateValue(args, value, ctx);
  return msg === null ? null : `ArgumentValidationError: ${msg}`;
}

/** Checks a return value against `exportReturns()` (`null` means unvalidated). */
export function validateReturns(
  returns: ValidatorJSON | null,
  value: ConvexJSON,
  ctx: ValidationContext,
): string | null {
  if (returns === null) return null;
  const msg = validateValue(returns, value, ctx);
  return msg === null ? null : `ReturnsValidationError: ${msg}`;
}

const isSystemField = (name: string) => name.startsWith("_");

/** The document without its top-level system fields (`_id`, `_creationTime`). */
function withoutSystemFields(doc: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const k in doc) if (!isSystemField(k)) out[k] = doc[k]!;
  return out;
}

/** A top-level object validator without system fields: the schema never needs to name them. */
function schemaWithoutSystemFields(v: ValidatorJSON): ValidatorJSON {
  switch (v.type) {
    case "object": {
      if (!Object.keys(v.value).some(isSystemField)) return v;
      const value: typeof v.value = {};
      for (const k in v.value) if (!isSystemField(k)) value[k] = v.value[k]!;
      return { type: "object", value };
    }
    case "union":
      return { type: "union", value: v.value.map(schemaWithoutSystemFields) };
    default:
      return v;
  }
}

/**
 * Checks a document (with `_id` and `_creationTime`) against its table's `documentType` from
 * `schema.export()`. Returns null or `Failed to insert or update a document in table "t" …`.
 */
export function validateDocument(
  tableName: string,
  documentType: ValidatorJSON | null,
  doc: JsonObject,
  ctx: ValidationContext,
): string | null {
  if (documentType === null || documentType.type === "any") return null;
  const msg = validateValue(schemaWithoutSystemFields(documentType), withoutSystemFields(doc), ctx);
  return msg === null
    ? null
    : `Failed to insert or update a document in table "${tableName}" because it does not match the schema: ${msg}`;
}
