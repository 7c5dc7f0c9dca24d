/**
 * What each finished execution reports (for `npx convex dev` / `convex logs`), and how a failure
 * the client did not cause is answered: logged here, a generic message there.
 */
import { isTandemError, type Logger } from "@tandem/shared";
import { WRITE_REFUSED } from "@tandem/storage";
import type { ExecutionLog } from "./types.js";

export class ExecutionLogs {
  readonly #listeners = new Set<(l: ExecutionLog) => void>();

  subscribe(listener: (l: ExecutionLog) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** `started` is a `performance.now()` reading. */
  emit(
    kind: ExecutionLog["kind"],
    path: string,
    started: number,
    out: { ok: boolean; logLines: readonly string[]; error?: { message: string }; cached?: boolean },
  ): void {
    if (this.#listeners.size === 0) return;
    const entry: ExecutionLog = {
      kind,
      identifier: path,
      timestamp: Date.now() / 1000,
      executionTimeSeconds: (performance.now() - started) / 1000,
      logLines: out.logLines,
      error: out.ok ? null : (out.error?.message ?? "error"),
      ...(out.cached ? { cached: true } : {}),
    };
    for (const l of this.#listeners) l(entry);
  }

  clear(): void {
    this.#listeners.clear();
  }
}

/** A failed call's result: our own errors' messages are shown; others (database, bugs) are logged, not shown. */
export function failure<T extends object>(log: Logger, e: unknown, extra: T) {
  const internal = !isTandemError(e) || e.kind === "Internal";
  // A full disk or read-only folder is told to the caller and must reach the operator too.
  const refused = !internal && e.message.startsWith(WRITE_REFUSED);
  if (internal || refused) log.error("function execution failed", { error: e });
  const message = internal
    ? "Server Error: an internal error occurred while running this function."
    : (e as Error).message;
  return { ok: false as const, error: { message }, logLines: [] as string[], ...extra };
}
