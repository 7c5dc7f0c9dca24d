/**
 * Functions the server implements itself (`_system/cli/...`, `_system/frontend/...`): looked up
 * by path (with or without `.js`, `:default` optional) and callable only by admins.
 */
import { backendError } from "../errors.js";
import type { ConvexJSON } from "@tandem/storage";
import type { FunctionKind, Identity, SystemFunction, SystemReads } from "./types.js";

const normalize = (path: string) => path.replace(/\.js(?=:|$)/, "");

export class SystemFunctions {
  readonly #fns = new Map<string, SystemFunction>();

  /** Whether `path` names a system function rather than one of the deployment's. */
  static owns(path: string): boolean {
    return path.startsWith("_system/");
  }

  register(path: string, fn: SystemFunction): void {
    this.#fns.set(normalize(path), fn);
  }

  kindOf(path: string): FunctionKind | null {
    return this.#fns.get(normalize(path))?.kind ?? null;
  }

  async run(
    kind: FunctionKind,
    path: string,
    args: ConvexJSON,
    identity: Identity,
    reads: SystemReads,
  ): Promise<ConvexJSON> {
    const key = normalize(path);
    const fn = this.#fns.get(key) ?? this.#fns.get(key.replace(/:default$/, ""));
    if (!fn || fn.kind !== kind)
      throw backendError("BadRequest", "FunctionNotFound", `Could not find function for '${key}'.`);
    if (identity.kind !== "admin")
      throw backendError("Forbidden", "Unauthorized", "You do not have permission to perform this operation.");
    return fn.handler(args, { identity, reads });
  }
}
