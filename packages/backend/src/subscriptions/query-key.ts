/**
 * What makes two subscriptions identical: the same canonical function path, the same arguments,
 * the same identity and the same journal. Identical subscriptions share one execution.
 */
import type { ConvexJSON } from "@tandem/storage";
import type { Identity } from "../engine/types.js";
import { unreachable } from "@tandem/shared";
import { LIMITS } from "../values/limits.js";

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

/** Stands for a container past the nesting limit: not JSON, so no other value prints as it. */
const TOO_DEEP = "!deep";

/**
 * JSON with object keys sorted, so equal values always give equal text. Containers nested past
 * the limit print as one marker: a client's hostile nesting cannot exhaust the stack, and every
 * such value fails argument checks alike (they walk in the same order and stop at that level).
 */
export function stableStringify(value: ConvexJSON, depth = 0): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (depth > LIMITS.maxNesting) return TOO_DEEP;
  if (Array.isArray(value)) return `[${value.map((v) => stableStringify(v, depth + 1)).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(value[k]!, depth + 1)}`).join(",")}}`;
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
