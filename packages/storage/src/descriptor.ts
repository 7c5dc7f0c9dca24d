/**
 * Where a store lives, as plain data: what a function thread (or any other connection) needs to
 * open its own connection to the same store. In-memory stores have none: they can't be shared
 * across threads.
 */
import type { Storage } from "./types.js";
import { openSqliteStorage } from "./sqlite/open.js";
import { openPostgresStorage } from "./postgres/open.js";

export type StorageDescriptor =
  | { readonly kind: "sqlite"; readonly path: string }
  | {
      readonly kind: "postgres";
      readonly url: string;
      readonly schema?: string;
      /** See `MvccStorageOptions.fastCommitTries` (only a writer commits). */
      readonly fastCommitTries?: number;
    };

export function openStorage(
  descriptor: StorageDescriptor,
  options: { readonly readonly?: boolean } = {},
): Promise<Storage> {
  const readonly = options.readonly ?? false;
  switch (descriptor.kind) {
    case "sqlite":
      return openSqliteStorage({ path: descriptor.path, readonly });
    case "postgres":
      return openPostgresStorage({
        url: descriptor.url,
        readonly,
        ...(descriptor.schema !== undefined ? { schema: descriptor.schema } : {}),
        ...(descriptor.fastCommitTries !== undefined ? { fastCommitTries: descriptor.fastCommitTries } : {}),
      });
    default:
      throw new TypeError(
        `unknown storage kind ${JSON.stringify((descriptor satisfies never as { kind: unknown }).kind)}`,
      );
  }
}

/** A Postgres URL with its password hidden, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable URL)";
  }
}
