/**
 * What makes two subscriptions identical: the same canonical function path, the same arguments,
 * the same identity and the same journal. Identical subscriptions share one execution.
 */
import type { ConvexJSON } from "@tandem/storage";
import type { Identity } from "../engine/types.js";
import { unreachable } from "@tandem/shared";

export interface QuerySpec {
  /** As the client sent it; the engine canonicalizes again. */
  readonly path: string;
  readonly args: ConvexJSON;
  readonly identity: Identity;
  readonly journal: string | null;
}

/** The client's canonical form (`udf_path_utils.ts`): `mod:fn`, `.js` dropped, `default` implied. */
export function canonicalizeUdfPath(udfPath: string): string {
  const colon = udfPath.lastIndexOf(":");
  let module = colon === -1 ? udfPath : udfPath.slice(0, colon);
  const fn = colon === -1 ? "default" : udfPath.slice(colon + 1);
  if (module.endsWith(".js")) module = module.slice(0, -3);
  return `${module}:${fn}`;
}

/** JSON with object keys sorted, so equal values always give equal text. */
export function stableStringify(value: ConvexJSON): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(value[k]!)}`).join(",")}}`;
}

export function identityKey(identity: Identity): string {
  switch (identity.kind) {
    case "none":
      return "none";
    case "admin":
      return "admin";
    case "impersonated":
      return `as:${stableStringify(identity.attributes)}`;
    case "user":
      return `user:${stableStringify(identity.attributes)}`;
    default:
      return unreachable(identity);
  }
}

export function queryKey(spec: QuerySpec): string {
  return JSON.stringify([
    canonicalizeUdfPath(spec.path),
    stableStringify(spec.args),
    identityKey(spec.identity),
    spec.journal,
  ]);
}
