/**
 * Checking a Convex JSON value against a `ValidatorJSON` (what `exportArgs()`/`exportReturns()`
 * and `schema.export()` produce), with the texts of Convex's `ValidationError`
 * (docs/semantics.md#errors): the first failure wins, and its message names the path that failed.
 */
import type { ConvexJSON } from "@tandem/storage";
import type { ValidatorJSON } from "convex/values";
import { convexEquals, typeOf, type JsonObject } from "./classify.js";
import { displayValidator, displayValue, sortedKeys } from "./display.js";

/** How ids are read: injected so this module does not depend on the id codec's owner. */
export interface ValidationContext {
  /** The table a number names (user, system or virtual), or undefined if none does. */
  tableNumberToName(tableNumber: number): string | undefined;
  /** Decodes a document id string; null when it is not a well-formed id. */
  decodeId(id: string): { readonly tableNumber: number } | null;
}

type ObjectValidatorJSON = Extract<ValidatorJSON, { type: "object" }>;

/** Why a value failed: one case per message Convex can produce. */
export type ValidationFailure =
  | { kind: "NoMatch"; value: ConvexJSON; validator: ValidatorJSON; path: string }
  | { kind: "MissingRequiredField"; object: JsonObject; field: string; validator: ObjectValidatorJSON; path: string }
  | { kind: "ExtraField"; object: JsonObject; field: string; validator: ObjectValidatorJSON; path: string }
  | { kind: "LiteralMismatch"; value: ConvexJSON; validator: Extract<ValidatorJSON, { type: "literal" }>; path: string }
  | { kind: "TableNamesDoNotMatch"; id: string; foundTable: string; validatorTable: string; path: string }
  | { kind: "SystemTableReference"; id: string; validatorTable: string; path: string };

/** The message of a failure, exactly as Convex words it. */
export function formatFailure(f: ValidationFailure): string {
  const ctx = f.path === "" ? "" : `Path: ${f.path}`;
  switch (f.kind) {
    case "NoMatch":
      return `Value does not match validator.\n${ctx}\nValue: ${displayValue(f.value)}\nValidator: ${displayValidator(f.validator)}`;
    case "MissingRequiredField":
      return (
        `Object is missing the required field \`${f.field}\`. Consider wrapping the field validator in \`v.optional(...)\` if this is expected.\n` +
        `${ctx}\nObject: ${displayValue(f.object)}\nValidator: ${displayValidator(f.validator)}`
      );
    case "ExtraField":
      return (
        `Object contains extra field \`${f.field}\` that is not in the validator.\n` +
        `${ctx}\nObject: ${displayValue(f.object)}\nValidator: ${displayValidator(f.validator)}`
      );
    case "LiteralMismatch":
      return `\`${displayValue(f.value)}\` does not match literal validator \`${displayValidator(f.validator)}\`.${ctx}`;
    case "TableNamesDoNotMatch":
      return `Found ID "${f.id}" from table \`${f.foundTable}\`, which does not match the table name in validator \`v.id("${f.validatorTable}")\`.${ctx}`;
    case "SystemTableReference":
      return `Found ID "${f.id}" from a system table, which does not match the table name in validator \`v.id("${f.validatorTable}")\`.${ctx}`;
    default:
      return f satisfies never;
  }
}

/** The first way `value` fails `validator`, or null when it conforms. */
export function checkValue(
  validator: ValidatorJSON,
  value: ConvexJSON,
  ctx: ValidationContext,
  path = "",
): ValidationFailure | null {
  const t = typeOf(value);
  const noMatch = (): ValidationFailure => ({ kind: "NoMatch", value, validator, path });
  switch (validator.type) {
    case "any":
      return null;
    case "null":
      return t === "null" ? null : noMatch();
    case "number":
      return t === "float64" ? null : noMatch();
    case "bigint":
      return t === "int64" ? null : noMatch();
    case "commitTs":
      return t === "int64" || t === "commitTs" ? null : noMatch();
    case "boolean":
      return t === "boolean" ? null : noMatch();
    case "string":
      return t === "string" ? null : noMatch();
    case "bytes":
      return t === "bytes" ? null : noMatch();
    case "literal":
      return convexEquals(value, validator.value as ConvexJSON)
        ? null
        : { kind: "LiteralMismatch", value, validator, path };
    case "id":
      return checkId(validator, value, ctx, path);
    case "array": {
      if (t !== "array") return noMatch();
      const items = value as ConvexJSON[];
      for (let i = 0; i < items.length; i++) {
        const f = checkValue(validator.value, items[i]!, ctx, `${path}[${i}]`);
        if (f) return f;
      }
      return null;
    }
    case "record": {
      if (t !== "object") return noMatch();
      const obj = value as JsonObject;
      for (const key of sortedKeys(obj)) {
        const kf = checkValue(validator.keys as ValidatorJSON, key, ctx, `${path}.keys()`);
        if (kf) return kf;
        const vf = checkValue(validator.values.fieldType, obj[key]!, ctx, `${path}.values()`);
        if (vf) return vf;
      }
      return null;
    }
    case "object":
      return t === "object" ? checkObject(validator, value as JsonObject, ctx, path) : noMatch();
    case "union": {
      if (validator.value.length === 1) return checkValue(validator.value[0]!, value, ctx, path);
      for (const option of validator.value) if (!checkValue(option, value, ctx, path)) return null;
      return noMatch();
    }
    default:
      return unknownValidator(validator);
  }
}

function checkObject(
  validator: ObjectValidatorJSON,
  obj: JsonObject,
  ctx: ValidationContext,
  path: string,
): ValidationFailure | null {
  const fields = validator.value;
  for (const name of fieldOrder(fields)) {
    const field = fields[name]!;
    if (Object.hasOwn(obj, name)) {
      const f = checkValue(field.fieldType, obj[name]!, ctx, `${path}.${name}`);
      if (f) return f;
    } else if (!field.optional) {
      return { kind: "MissingRequiredField", object: obj, field: name, validator, path };
    }
  }
  // The value's own keys are sorted only when one is extra (the message names the first).
  for (const name of Object.keys(obj)) {
    if (Object.hasOwn(fields, name)) continue;
    const extra = sortedKeys(obj).find((k) => !Object.hasOwn(fields, k))!;
    return { kind: "ExtraField", object: obj, field: extra, validator, path };
  }
  return null;
}

/**
 * An object validator's field names in the order failures are looked for (sorted), worked out
 * once per validator: validators live as long as their deployment and are checked on every call.
 */
const fieldOrders = new WeakMap<object, readonly string[]>();
function fieldOrder(fields: ObjectValidatorJSON["value"]): readonly string[] {
  let order = fieldOrders.get(fields);
  if (!order) fieldOrders.set(fields, (order = sortedKeys(fields)));
  return order;
}

function checkId(
  validator: Extract<ValidatorJSON, { type: "id" }>,
  value: ConvexJSON,
  ctx: ValidationContext,
  path: string,
): ValidationFailure | null {
  const decoded = typeof value === "string" ? ctx.decodeId(value) : null;
  const table = decoded ? ctx.tableNumberToName(decoded.tableNumber) : undefined;
  if (table === undefined) return { kind: "NoMatch", value, validator, path };
  if (table === validator.tableName) return null;
  const id = value as string;
  return table.startsWith("_")
    ? { kind: "SystemTableReference", id, validatorTable: validator.tableName, path }
    : { kind: "TableNamesDoNotMatch", id, foundTable: table, validatorTable: validator.tableName, path };
}

function unknownValidator(v: never): never {
  throw new TypeError(`Unknown validator type in ${JSON.stringify(v)}`);
}

/** `null` when `value` conforms to `validator`, else Convex's message for the first failure. */
export function validateValue(validator: ValidatorJSON, value: ConvexJSON, ctx: ValidationContext): string | null {
  const f = checkValue(validator, value, ctx);
  return f ? formatFailure(f) : null;
}
