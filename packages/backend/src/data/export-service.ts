/**
 * `npx convex export` (npm:cli/lib/convexExport.ts): `POST /api/export/request/zip` takes a
 * snapshot of every user table at one timestamp and zips it in the snapshot-export layout
 * (`_tables/documents.jsonl` = `{"name","id"}` per table, `<table>/documents.jsonl` = one
 * document per line in Convex JSON, `_id`/`_creationTime` included); `getLatest` reports it and
 * `GET /api/export/zip/<start_ts>` serves it. The CLI subscribes to `getLatest` and stops at
 * the first stable state, so the request answers only once the export has completed or failed.
 * With `includeStorage` (`--include-file-storage`) the zip also holds `_storage/documents.jsonl`
 * (the file rows) and each file's bytes as `_storage/<id><ext>`, the extension by content type.
 * Only the latest export is kept, in memory.
 *
 * States (wire names): requested → in_progress → completed | failed.
 */
import { type Logger } from "@tandem/shared";
import { backendError, badRequest } from "../errors.js";
import { isSystemTableName, nowNanos, type DocumentId, type Storage } from "@tandem/storage";
import { convexToJson } from "convex/values";
import { zipSync } from "fflate";
import { allDocuments } from "../deploy/schema-job.js";
import type { BlobStore } from "../files/blob-store.js";
import { blobKeyOf, STORAGE_TABLE } from "../files/storage-id.js";
import { extensionOf } from "./file-extension.js";

type ExportState =
  | { readonly state: "requested" }
  | { readonly state: "in_progress" }
  | { readonly state: "failed" }
  | { readonly state: "completed"; readonly startTs: bigint; readonly completeTs: bigint; readonly zip: Uint8Array };

interface ExportRecord {
  readonly creationTime: number;
  readonly includeStorage: boolean;
  state: ExportState;
}

const README = `# Snapshot export

One folder per table. \`<table>/documents.jsonl\` holds one document per line in Convex's JSON
encoding (with \`_id\` and \`_creationTime\`); \`_tables/documents.jsonl\` lists the tables.
With file storage, \`_storage/documents.jsonl\` lists the files and \`_storage/<id>\` holds their bytes.
Restore it with \`npx convex import snapshot.zip\` (add \`--replace\` over existing data).
`;

export class ExportService {
  readonly #storage: Storage;
  readonly #blobs: BlobStore;
  readonly #logger: Logger;
  #latest: ExportRecord | null = null;

  constructor(storage: Storage, blobs: BlobStore, logger: Logger) {
    this.#storage = storage;
    this.#blobs = blobs;
    this.#logger = logger;
  }

  async request(includeStorage: boolean): Promise<void> {
    const s = this.#latest?.state.state;
    if (s === "requested" || s === "in_progress")
      throw backendError("Conflict", "ExportInProgress", "A snapshot export is already in progress.");
    const record: ExportRecord = { creationTime: Date.now(), includeStorage, state: { state: "requested" } };
    this.#latest = record;
    record.state = { state: "in_progress" };
    try {
      const { startTs, zip } = await this.#snapshotZip(includeStorage);
      record.state = { state: "completed", startTs, completeTs: nowNanos(), zip };
    } catch (e) {
      this.#logger.error("snapshot export failed", { error: e as Error });
      record.state = { state: "failed" };
    }
  }

  /** `_system/cli/exports:getLatest`: null before the first export. */
  latest(): Record<string, unknown> | null {
    const r = this.#latest;
    if (!r) return null;
    const base = { _creationTime: r.creationTime, format: { format: "zip", include_storage: r.includeStorage } };
    if (r.state.state !== "completed") return { ...base, state: r.state.state };
    return {
      ...base,
      state: "completed",
      start_ts: convexToJson(r.state.startTs),
      complete_ts: convexToJson(r.state.completeTs),
      zip_object_key: fileName(r.state.startTs),
    };
  }

  zip(startTs: string): { fileName: string; bytes: Uint8Array } {
    const s = this.#latest?.state;
    if (!s || s.state !== "completed" || s.startTs.toString() !== startTs)
      throw badRequest(
        "ExportNotFound",
        `No completed snapshot export at timestamp ${startTs} (only the latest is kept).`,
      );
    return { fileName: fileName(s.startTs), bytes: s.zip };
  }

  async #snapshotZip(includeStorage: boolean): Promise<{ startTs: bigint; zip: Uint8Array }> {
    const snapshot = this.#storage.snapshot();
    const tables = this.#storage.tables().filter((t) => !isSystemTableName(t.name));
    const enc = new TextEncoder();
    const files: Record<string, Uint8Array> = {
      "README.md": enc.encode(README),
      "_tables/documents.jsonl": enc.encode(
        tables.map((t) => JSON.stringify({ name: t.name, id: t.number }) + "\n").join(""),
      ),
    };
    for (const t of tables) {
      const lines: string[] = [];
      for await (const doc of allDocuments(this.#storage, t.name, snapshot)) lines.push(JSON.stringify(doc) + "\n");
      files[`${t.name}/documents.jsonl`] = enc.encode(lines.join(""));
    }
    if (includeStorage) {
      const lines: string[] = [];
      if (this.#storage.tables().some((t) => t.name === STORAGE_TABLE))
        for await (const doc of allDocuments(this.#storage, STORAGE_TABLE, snapshot)) {
          // Bytes of a row are written before the row commits and deleted after it goes.
          const bytes = await this.#blobs.read(blobKeyOf(doc._id as DocumentId));
          if (!bytes) throw new Error(`file ${doc._id} has a row but no bytes`);
          lines.push(JSON.stringify(doc) + "\n");
          const type = typeof doc.contentType === "string" ? doc.contentType : null;
          files[`${STORAGE_TABLE}/${doc._id}${extensionOf(type)}`] = bytes;
        }
      files[`${STORAGE_TABLE}/documents.jsonl`] = enc.encode(lines.join(""));
    }
    return { startTs: snapshot.ts, zip: zipSync(files, { level: 6 }) };
  }
}

const fileName = (ts: bigint) => `snapshot_${ts}.zip`;
