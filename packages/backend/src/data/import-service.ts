/**
 * `npx convex import` (npm:cli/lib/convexImport.ts): a multipart upload, then an import that
 * is parsed and previewed at `finish_upload`, waits for confirmation, and is written by
 * `perform_import` in one atomic commit. The CLI watches `_system/cli/queryImport` over the
 * WebSocket and stops at the first stable state it sees, so every transition happens before
 * the HTTP call that causes it answers: `finish_upload` leaves the import waiting (or failed),
 * `perform_import` leaves it completed (or failed).
 *
 * States (wire names): uploaded → waiting_for_confirmation → in_progress → completed | failed.
 */
import { randomBytes } from "node:crypto";
import { isTandemError, TandemError, type Logger } from "@tandem/shared";
import { backendError, badRequest } from "../errors.js";
import type { Storage } from "@tandem/storage";
import { convexToJson } from "convex/values";
import { IMPORT_FORMATS, parseImport, type ImportFormat, type ImportUnit } from "./import-parse.js";
import {
  IMPORT_MODES,
  buildImport,
  changeSummary,
  checkImportTableName,
  dropTables,
  previewImport,
  type DocumentCheck,
  type ImportMode,
  type PutFile,
} from "./import-plan.js";
import type { ExternalCommits } from "./external-commits.js";

/** Largest upload accepted (all parts together). */
export const MAX_IMPORT_BYTES = 256 * 1024 * 1024;
/** The CLI never sends more (`uploadForImport` sizes parts to stay under 10 000). */
const MAX_PARTS = 10_000;
const UPLOAD_TTL_MS = 60 * 60 * 1000;
const KEPT_IMPORTS = 50;

export type ImportState =
  | { readonly state: "uploaded" }
  | {
      readonly state: "waiting_for_confirmation";
      readonly message_to_confirm: string;
      readonly require_manual_confirmation: boolean;
    }
  | { readonly state: "in_progress"; readonly progress_message: string; readonly checkpoint_messages: string[] }
  | { readonly state: "completed"; readonly num_rows_written: number }
  | { readonly state: "failed"; readonly error_message: string };

interface Upload {
  readonly startedAt: number;
  readonly parts: Map<number, Buffer>;
  bytes: number;
}

interface ImportRecord {
  readonly id: string;
  readonly creationTime: number;
  readonly format: ImportFormat;
  readonly mode: ImportMode;
  readonly tableName: string | null;
  units: ImportUnit[] | null;
  state: ImportState;
}

export interface ImportServiceDeps {
  readonly storage: Storage;
  /** Schema enforcement of the live deployment (a no-op without schema validation). */
  readonly documentCheck: () => DocumentCheck;
  readonly commits: ExternalCommits;
  /** Where a snapshot's `_storage` files go (the file store). */
  readonly putFile: PutFile;
  readonly logger: Logger;
}

const token = () => randomBytes(18).toString("base64url");

export class ImportService {
  readonly #deps: ImportServiceDeps;
  readonly #uploads = new Map<string, Upload>();
  readonly #imports = new Map<string, ImportRecord>();

  constructor(deps: ImportServiceDeps) {
    this.#deps = deps;
  }

  startUpload(): { uploadToken: string } {
    const now = Date.now();
    for (const [t, u] of this.#uploads) if (now - u.startedAt > UPLOAD_TTL_MS) this.#uploads.delete(t);
    const uploadToken = token();
    this.#uploads.set(uploadToken, { startedAt: now, parts: new Map(), bytes: 0 });
    return { uploadToken };
  }

  /** The bytes a part may still add before the upload passes the limit. */
  remaining(uploadToken: string): number {
    return MAX_IMPORT_BYTES - this.#upload(uploadToken).bytes;
  }

  uploadPart(uploadToken: string, partNumber: number, bytes: Buffer): { partNumber: number; size: number } {
    const upload = this.#upload(uploadToken);
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PARTS)
      throw badRequest("InvalidPartNumber", `partNumber must be an integer from 1 to ${MAX_PARTS}.`);
    upload.bytes += bytes.length - (upload.parts.get(partNumber)?.length ?? 0);
    upload.parts.set(partNumber, bytes);
    if (upload.bytes > MAX_IMPORT_BYTES) {
      this.#uploads.delete(uploadToken);
      throw tooLarge();
    }
    return { partNumber, size: bytes.length };
  }

  async finishUpload(body: Record<string, unknown>): Promise<{ importId: string }> {
    const uploadToken = body.uploadToken;
    if (typeof uploadToken !== "string") throw badRequest("InvalidUpload", "`uploadToken` must be a string.");
    const upload = this.#upload(uploadToken);
    const args = parseImportArgs(body.import);
    const partTokens = body.partTokens;
    if (!Array.isArray(partTokens)) throw badRequest("InvalidUpload", "`partTokens` must be an array.");
    const parts = partTokens.map((p) => {
      const n = (p as { partNumber?: unknown } | null)?.partNumber;
      const part = typeof n === "number" ? upload.parts.get(n) : undefined;
      if (!part) throw badRequest("InvalidUpload", "A part token does not belong to this upload.");
      return part;
    });
    this.#uploads.delete(uploadToken);

    const record: ImportRecord = {
      id: token(),
      creationTime: Date.now(),
      ...args,
      units: null,
      state: { state: "uploaded" },
    };
    this.#remember(record);
    try {
      record.units = parseImport(args.format, Buffer.concat(parts), args.tableName);
      const changes = await previewImport(this.#deps.storage, record.units, args.mode);
      record.state = {
        state: "waiting_for_confirmation",
        message_to_confirm: changeSummary(changes),
        require_manual_confirmation: changes.some((c) => c.delete > 0),
      };
    } catch (e) {
      this.#fail(record, e);
    }
    return { importId: record.id };
  }

  async performImport(importId: unknown): Promise<void> {
    const record = typeof importId === "string" ? this.#imports.get(importId) : undefined;
    if (!record) throw badRequest("ImportNotFound", "No such import.");
    if (record.state.state !== "waiting_for_confirmation" || !record.units)
      throw badRequest(
        "ImportNotWaiting",
        `The import is ${record.state.state.replace(/_/g, " ")}, not waiting for confirmation.`,
      );
    const units = record.units;
    record.state = { state: "in_progress", progress_message: "Importing", checkpoint_messages: [] };
    const { storage, commits } = this.#deps;
    let created: string[] = [];
    try {
      const built = await buildImport(storage, units, record.mode, this.#deps.documentCheck(), this.#deps.putFile);
      created = built.createdTables;
      if (created.length > 0) commits.tablesChanged();
      await commits.commit({ writes: built.writes });
      record.state = { state: "completed", num_rows_written: built.rowsWritten };
    } catch (e) {
      await dropTables(storage, created);
      if (created.length > 0) commits.tablesChanged();
      this.#fail(record, e);
    } finally {
      record.units = null;
    }
  }

  /** `_system/cli/queryImport`: the import as the CLI reads it (`value.state.state`). */
  get(importId: unknown): Record<string, unknown> {
    const record = typeof importId === "string" ? this.#imports.get(importId) : undefined;
    if (!record) throw badRequest("ImportNotFound", "No such import.");
    return wire(record);
  }

  list(): Record<string, unknown>[] {
    return [...this.#imports.values()].reverse().map(wire);
  }

  #upload(uploadToken: string): Upload {
    const upload = this.#uploads.get(uploadToken);
    if (!upload) throw badRequest("InvalidUploadToken", "Unknown or expired upload token: start the upload again.");
    return upload;
  }

  #remember(record: ImportRecord): void {
    this.#imports.set(record.id, record);
    for (const id of this.#imports.keys()) {
      if (this.#imports.size <= KEPT_IMPORTS) break;
      this.#imports.delete(id);
    }
  }

  #fail(record: ImportRecord, e: unknown): void {
    record.units = null;
    if (isTandemError(e) && e.kind !== "Internal") {
      record.state = { state: "failed", error_message: e.message };
      return;
    }
    this.#deps.logger.error("import failed", { error: e as Error });
    record.state = {
      state: "failed",
      error_message: "The import failed because of an internal error; nothing was written.",
    };
  }
}

export function tooLarge(): TandemError {
  return backendError(
    "PayloadTooLarge",
    "ImportTooLarge",
    `The import is larger than ${MAX_IMPORT_BYTES / (1024 * 1024)} MiB. Split it into several files (e.g. one JSONL per table).`,
  );
}

function parseImportArgs(raw: unknown): { format: ImportFormat; mode: ImportMode; tableName: string | null } {
  const a = (raw ?? {}) as { format?: unknown; mode?: unknown; tableName?: unknown; componentPath?: unknown };
  if (!IMPORT_FORMATS.includes(a.format as ImportFormat))
    throw badRequest(
      "InvalidImportFormat",
      `Unknown import format ${JSON.stringify(a.format)}; expected one of ${IMPORT_FORMATS.join(", ")}.`,
    );
  const mode = a.mode ?? "requireEmpty";
  if (!IMPORT_MODES.includes(mode as ImportMode))
    throw badRequest(
      "InvalidImportMode",
      `Unknown import mode ${JSON.stringify(mode)}; expected one of ${IMPORT_MODES.join(", ")}.`,
    );
  if (a.componentPath !== undefined && a.componentPath !== null && a.componentPath !== "")
    throw badRequest(
      "ComponentsUnsupported",
      "Components are not supported by this backend: import into the root app.",
    );
  const format = a.format as ImportFormat;
  const tableName = typeof a.tableName === "string" ? a.tableName : null;
  if (format === "zip" && tableName !== null)
    throw badRequest("InvalidImportArgs", "A zip import names its tables itself: drop --table.");
  if (format !== "zip") {
    if (tableName === null)
      throw badRequest("InvalidImportArgs", `The --table option is required for format ${format}.`);
    // File rows need their bytes, which only a snapshot zip carries.
    if (tableName === "_storage")
      throw badRequest("InvalidTableName", "_storage is imported only from a snapshot zip with its files.");
    checkImportTableName(tableName);
  }
  return { format, mode: mode as ImportMode, tableName };
}

function wire(r: ImportRecord): Record<string, unknown> {
  const state =
    r.state.state === "completed"
      ? { ...r.state, num_rows_written: convexToJson(BigInt(r.state.num_rows_written)) }
      : r.state;
  return {
    _id: r.id,
    _creationTime: r.creationTime,
    format: r.tableName === null ? { format: r.format } : { format: r.format, table: r.tableName },
    mode: r.mode,
    state,
  };
}
