/** Convex JSON ↔ Convex values, over the official `convex/values` codec. */
import { convexToJson, jsonToConvex, type JSONValue, type Value } from "convex/values";
import type { ConvexJSON } from "../types.js";

export function fromConvexJSON(json: ConvexJSON): Value {
  return jsonToConvex(json as JSONValue);
}

export function toConvexJSON(value: Value): ConvexJSON {
  return convexToJson(value) as ConvexJSON;
}

/**
 * Decodes a range or filter literal, where `{"$undefined": null}` stands for a missing field
 * (docs/architecture.md#serialized-queries); `jsonToConvex` itself rejects that form.
 */
export function fromConvexJSONOrUndefined(json: ConvexJSON): Value | undefined {
  if (isUndefinedMarker(json)) return undefined;
  return fromConvexJSON(json);
}

export function isUndefinedMarker(json: ConvexJSON): boolean {
  if (json === null || typeof json !== "object" || Array.isArray(json)) return false;
  const keys = Object.keys(json);
  return keys.length === 1 && keys[0] === "$undefined" && json["$undefined"] === null;
}
