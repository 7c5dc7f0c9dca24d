/** What `ctx.auth.getUserIdentity()` returns for each kind of caller (docs/auth.md#user-identity). */
import type { ConvexJSON } from "@tandem/storage";
import type { Identity } from "../engine/types.js";
import { unreachable } from "@tandem/shared";

export function identityJSON(identity: Identity): ConvexJSON {
  switch (identity.kind) {
    case "none":
    case "admin":
      return null;
    case "user":
    case "impersonated":
      return identity.attributes as ConvexJSON;
    default:
      return unreachable(identity);
  }
}
