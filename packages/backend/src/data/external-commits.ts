/**
 * Commits made by the server itself (snapshot import): they go through the engine, so they are
 * ordered with mutations, checked against by later mutations, and reach live subscriptions; and
 * function threads learn of the tables they create.
 */
import type { CommitRequest, CommitResult } from "@tandem/storage";
import type { EngineAdmin } from "../engine/types.js";

export class ExternalCommits {
  readonly #engine: Pick<EngineAdmin, "commitExternal" | "catalogChanged">;

  constructor(engine: Pick<EngineAdmin, "commitExternal" | "catalogChanged">) {
    this.#engine = engine;
  }

  /** Tables were created (or dropped again) outside the engine. */
  tablesChanged(): void {
    this.#engine.catalogChanged();
  }

  commit(request: CommitRequest): Promise<CommitResult> {
    return this.#engine.commitExternal(request);
  }
}
