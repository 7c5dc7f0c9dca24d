/**
 * Text forms used inside validation errors. Convex's backend prints values with Rust's `Display`
 * (floats as `{:?}`, strings Debug-escaped, objects as `{a: 1.0}`, bytes as `b"…"`) and
 * validators as `v.object({a: v.string()})`; clients and tests match on these texts.
 */
import type { ConvexJSON } from "@tandem/storage";
import type { ValidatorJSON } from "convex/values";
import { floatOf, int64Of, typeOf, type JsonObject } from "./classify.js";

/** A float as Rust's `{:?}` prints it (`1.0`, `0.5`, `1e16`, `NaN`, `inf`). */
export function rustFloat(n: number, expBelow = 1e-4): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "inf";
  if (n === -Infinity) return "-inf";
  if (n === 0) return Object.is(n, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(n);
  if (abs < expBelow || abs >= 1e16) return n.toExponential().replace("e+", "e");
  const s = String(n);
  return s.includes(".") ? s : `${s}.0`;
}

// Characters Rust's `str::escape_debug` writes as `\u{…}`: controls, format chars, separators.
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u;

/** A string as Rust's `{:?}` prints it. */
export function rustString(s: string): string {
  let out = '"';
  for (const ch of s) {
    switch (ch) {
      case '"':
        out += '\\"';
        break;
      case "\\":
        out += "\\\\";
        break;
      case "\n":
        out += "\\n";
        break;
      case "\r":
        out += "\\r";
        break;
      case "\t":
        out += "\\t";
        break;
      case "\0":
        out += "\\0";
        break;
      default:
        out += NON_PRINTABLE.test(ch) ? `\\u{${ch.codePointAt(0)!.toString(16)}}` : ch;
    }
  }
  return out + '"';
}

/** Sorted object keys in byte order (field names are ASCII, so UTF-16 order agrees). */
export function sortedKeys(obj: object): string[] {
  return Object.keys(obj).sort();
}

/** A Convex JSON value as the Rust backend's `ConvexValue` `Display` prints it. */
export function displayValue(value: ConvexJSON): string {
  const t = typeOf(value);
  switch (t) {
    case "null":
      return "null";
    case "boolean":
      return String(value);
    case "float64":
      return rustFloat(floatOf(value));
    case "int64":
      return int64Of(value).toString();
    case "string":
      return rustString(value as string);
    case "bytes": {
      const b64 = Buffer.from((value as { $bytes: string }).$bytes, "base64").toString("base64");
      return `b${rustString(b64)}`;
    }
    case "commitTs":
      return "db.vars.commitTs";
    case "array":
      return `[${(value as ConvexJSON[]).map(displayValue).join(", ")}]`;
    case "object": {
      const obj = value as JsonObject;
      return `{${sortedKeys(obj)
        .map((k) => `${k}: ${displayValue(obj[k]!)}`)
        .join(", ")}}`;
    }
    default:
      return t satisfies never;
  }
}

/** A literal's value as `v.literal(…)` prints it (serde_json for floats, `<bigint>` for int64). */
function displayLiteral(value: ConvexJSON): string {
  switch (typeOf(value)) {
    case "float64": {
      const n = floatOf(value);
      return Number.isFinite(n) ? rustFloat(n, 1e-5) : "<number>";
    }
    case "int64":
      return "<bigint>";
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return String(value);
    default:
      return displayValue(value);
  }
}

/** A validator as the Rust backend prints it (`v.object({a: v.optional(v.string())})`). */
export function displayValidator(v: ValidatorJSON): string {
  switch (v.type) {
    case "null":
      return "v.null()";
    case "number":
      return "v.float64()";
    case "bigint":
      return "v.int64()";
    case "commitTs":
      return "v.commitTs()";
    case "boolean":
      return "v.boolean()";
    case "string":
      return "v.string()";
    case "bytes":
      return "v.bytes()";
    case "any":
      return "v.any()";
    case "literal":
      return `v.literal(${displayLiteral(v.value as ConvexJSON)})`;
    case "id":
      return `v.id(${JSON.stringify(v.tableName)})`;
    case "array":
      return `v.array(${displayValidator(v.value)})`;
    case "record":
      return `v.record(${displayValidator(v.keys as ValidatorJSON)}, ${displayValidator(v.values.fieldType)})`;
    case "object":
      return `v.object({${sortedKeys(v.value)
        .map((k) => {
          const f = v.value[k]!;
          const inner = displayValidator(f.fieldType);
          return `${k}: ${f.optional ? `v.optional(${inner})` : inner}`;
        })
        .join(", ")}})`;
    case "union":
      return `v.union(${v.value.map(displayValidator).join(", ")})`;
    default:
      return unknownValidator(v);
  }
}

function unknownValidator(v: never): string {
  return `<unknown validator ${JSON.stringify(v)}>`;
}
