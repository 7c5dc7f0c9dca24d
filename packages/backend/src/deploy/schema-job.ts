/**
 * The work a pushed schema needs before it can go live (issue 2 part 5): check every existing
 * document of each table against its new `documentType` (when `schemaValidation` is on), then
 * create and backfill the new indexes. `wait_for_schema` long-polls its status; a violation
 * fails the job before any index is created, so nothing of the push goes live.
 *
 * States: running → complete | failed (terminal).
 */
import type { ConvexJSON, DocumentJSON, IndexKey, SnapshotReader, Storage } from "@tandem/storage";
import type { ValidatorJSON } from "convex/values";
import type { SchemaJSON } from "../engine/deployment.js";
import { validateDocument, type ValidationContext } from "../values/index.js";
import { storageFields, type IndexConfig } from "./index-diff.js";

export type SchemaJobStatus =
  | { type: "inProgress"; schemaValidationComplete: boolean; indexesComplete: number; indexesTotal: number }
  | { type: "complete" }
  | { type: "failed"; error: string; tableName: string | null };

const SCAN_BATCH = 500;

export interface SchemaJobInput {
  readonly storage: Storage;
  readonly schema: SchemaJSON | null;
  /** Database indexes to create now (new names; replaced indexes wait for finish_push). */
  readonly indexesToAdd: readonly Extract<IndexConfig, { type: "database" }>[];
  readonly validation: ValidationContext;
  /** Validate only, create nothing (`--dry-run`). */
  readonly dryRun: boolean;
}

export class SchemaJob {
  #status: SchemaJobStatus;
  readonly #done: Promise<void>;

  constructor(input: SchemaJobInput) {
    this.#status = {
      type: "inProgress",
      schemaValidationComplete: false,
      indexesComplete: 0,
      indexesTotal: input.dryRun ? 0 : input.indexesToAdd.length,
    };
    this.#done = this.#run(input).catch((e: unknown) => {
      this.#status = { type: "failed", error: e instanceof Error ? e.message : String(e), tableName: null };
    });
  }

  status(): SchemaJobStatus {
    return this.#status;
  }

  /** The status once the job settles, or its progress after `timeoutMs`. */
  async wait(timeoutMs: number, signal?: AbortSignal): Promise<SchemaJobStatus> {
    if (this.#status.type !== "inProgress") return this.#status;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#done,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
        signal?.addEventListener("abort", () => resolve(), { once: true });
      }),
    ]);
    clearTimeout(timer);
    return this.#status;
  }

  async settled(): Promise<SchemaJobStatus> {
    await this.#done;
    return this.#status;
  }

  async #run(input: SchemaJobInput): Promise<void> {
    const violation = input.schema?.schemaValidation
      ? await findViolation(input.storage, input.schema, input.validation)
      : null;
    if (violation) {
      this.#status = { type: "failed", error: violation.error, tableName: violation.tableName };
      return;
    }
    this.#progress({ schemaValidationComplete: true });
    if (!input.dryRun) {
      let done = 0;
      for (const index of input.indexesToAdd) {
        const [table, name] = splitIndexName(index.name);
        await input.storage.ensureTable(table);
        await input.storage.addIndex(table, name, storageFields(index.fields));
        this.#progress({ indexesComplete: ++done });
      }
    }
    this.#status = { type: "complete" };
  }

  #progress(change: Partial<Extract<SchemaJobStatus, { type: "inProgress" }>>): void {
    if (this.#status.type === "inProgress") this.#status = { ...this.#status, ...change };
  }
}

export function splitIndexName(name: string): [table: string, index: string] {
  const dot = name.indexOf(".");
  return [name.slice(0, dot), name.slice(dot + 1)];
}

/** The first stored document that does not match its table's new `documentType`. */
async function findViolation(
  storage: Storage,
  schema: SchemaJSON,
  validation: ValidationContext,
): Promise<{ error: string; tableName: string } | null> {
  const existing = new Set(storage.tables().map((t) => t.name));
  for (const table of schema.tables) {
    if (!existing.has(table.tableName)) continue;
    const documentType = table.documentType as ValidatorJSON | null;
    if (!documentType || documentType.type === "any") continue;
    for await (const doc of allDocuments(storage, table.tableName)) {
      const message = validateDocument(table.tableName, documentType, doc as { [k: string]: ConvexJSON }, validation);
      if (message !== null) {
        return {
          tableName: table.tableName,
          error: `Document with ID "${doc._id}" in table "${table.tableName}" does not match the schema: ${withoutWritePrefix(message)}`,
        };
      }
    }
  }
  return null;
}

/** `validateDocument` words its message for writes; keep only the validation failure itself. */
function withoutWritePrefix(message: string): string {
  const marker = "because it does not match the schema: ";
  const at = message.indexOf(marker);
  return at < 0 ? message : message.slice(at + marker.length);
}

/** Every live document of `table` at `snapshot` (default: the latest), in `_id` order, read in batches. */
export async function* allDocuments(
  storage: Storage,
  table: string,
  snapshot: SnapshotReader = storage.snapshot(),
): AsyncGenerator<DocumentJSON> {
  const byId = storage.indexes(table).find((i) => i.name === "by_id");
  if (!byId) return;
  let start = new Uint8Array(0) as IndexKey;
  for (;;) {
    const batch = await snapshot.scan({ index: byId.id, start, end: null }, "asc", SCAN_BATCH);
    for (const entry of batch) yield entry.doc.value;
    if (batch.length < SCAN_BATCH) return;
    start = successor(batch[batch.length - 1]!.key);
  }
}

/** The smallest key greater than `key` (ranges are half-open `[start, end)`). */
function successor(key: IndexKey): IndexKey {
  const next = new Uint8Array(key.length + 1);
  next.set(key);
  return next as IndexKey;
}

export async function countDocuments(storage: Storage, table: string): Promise<number> {
  let n = 0;
  for await (const _ of allDocuments(storage, table)) n++;
  return n;
}
