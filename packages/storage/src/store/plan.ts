/**
 * Turns a commit request into the rows to write: one version per written document and, for every
 * index of its table, the old and new key — reported in `indexWrites` even when unchanged (the
 * document under that key changed, so readers of that key must hear of it), but written as index
 * entries only when the key moves.
 */
import { storageError } from "../errors.js";
import { decodeId } from "../ids/document-id.js";
import type {
  CommitResult,
  DocumentId,
  DocumentJSON,
  DocumentWrite,
  IndexWrite,
  PreparedCommit,
  Timestamp,
  WriteWithOriginal,
} from "../types.js";
import { nextTimestamp } from "./clock.js";
import { docKeyOf } from "./doc-key.js";
import { hasCommitTs, resolveCommitTs, resolvePreparedWrite } from "./commit-ts.js";
import type { CommitPlan, DocRef, EntryRow, Head, VersionRow } from "./dialect.js";
import type { Registry } from "./registry.js";

export interface CheckedWrite {
  readonly write: DocumentWrite;
  readonly doc: DocRef;
}

/** Validates writes against the registry before the transaction; the last write to an id wins. */
export function checkWrites(writes: readonly DocumentWrite[], registry: Registry): CheckedWrite[] {
  const byId = new Map<string, CheckedWrite>();
  for (const write of writes) {
    const tableNumber = checkWrite(write, registry);
    byId.delete(write.id);
    byId.set(write.id, { write, doc: { tableNumber, id: write.id, docKey: docKeyOf(write.id) } });
  }
  return [...byId.values()];
}

/** A write's table exists, its id belongs to that table, its value is a document: the table number. */
function checkWrite(write: DocumentWrite, registry: Registry): number {
  const table = registry.table(write.table);
  if (!table) throw storageError("NotFound", "TableNotFound", `Table ${JSON.stringify(write.table)} does not exist`);
  const decoded = decodeId(write.id);
  if (!decoded || decoded.tableNumber !== table.number)
    throw storageError(
      "BadRequest",
      "IdTableMismatch",
      `Id ${write.id} does not belong to table ${JSON.stringify(write.table)}`,
    );
  if (write.value !== null) checkDocument(write.id, write.value);
  return table.number;
}

function checkDocument(id: string, value: DocumentJSON): void {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw storageError("BadRequest", "InvalidDocument", `Document ${id} is not an object`);
  if (value._id !== id)
    throw storageError(
      "BadRequest",
      "InvalidDocument",
      `Document _id ${String(value._id)} differs from the write's id ${id}`,
    );
  if (typeof value._creationTime !== "number")
    throw storageError("BadRequest", "InvalidDocument", `Document ${id} has no numeric _creationTime`);
}

export function planCommit(
  request: { readonly meta?: CommitPlan["meta"] | undefined },
  writes: readonly CheckedWrite[],
  registry: Registry,
  head: Head,
  latest: ReadonlyMap<string, VersionRow>,
): { plan: CommitPlan; result: CommitResult } {
  const ts = nextTimestamp(head.latestTs);
  const versions: (DocRef & { json: string | null })[] = [];
  const entries: EntryRow[] = [];
  const indexWrites: IndexWrite[] = [];
  for (const { write, doc } of writes) {
    const oldJson = latest.get(write.id)?.json ?? null;
    if (oldJson === null && write.value === null) continue; // deleting a missing document: nothing changes
    const oldDoc = oldJson === null ? null : (JSON.parse(oldJson) as DocumentJSON);
    let json = write.value === null ? null : JSON.stringify(write.value);
    let value = write.value;
    if (json !== null && hasCommitTs(json)) {
      json = resolveCommitTs(json, ts);
      value = JSON.parse(json) as DocumentJSON;
    }
    versions.push({ ...doc, json });
    for (const index of registry.indexesOf(doc.tableNumber)) {
      const oldKey = oldDoc ? index.keyOf(oldDoc) : null;
      const newKey = value ? index.keyOf(value) : null;
      indexWrites.push({ index: index.info.id, oldKey, newKey });
      if (index.source.kind === "documents") continue; // the version row itself is the entry
      if (oldKey && newKey && Buffer.compare(oldKey, newKey) === 0) continue;
      if (oldKey) entries.push({ indexId: index.info.id, key: oldKey, docKey: doc.docKey, deleted: true });
      if (newKey) entries.push({ indexId: index.info.id, key: newKey, docKey: doc.docKey, deleted: false });
    }
  }
  return {
    plan: { ts, versions, entries, meta: request.meta ?? [] },
    result: { ts: ts as Timestamp, indexWrites },
  };
}

/**
 * `Storage.prepare`: the rows and keys of a commit computed from the writes' originals, so the
 * writer needs no reads. Deleting a document that does not exist writes nothing.
 */
export function prepareWrites(writes: readonly WriteWithOriginal[], registry: Registry): PreparedCommit {
  // The last write to an id wins; the first carries the version it replaces.
  const last = new Map<string, { write: WriteWithOriginal; tableNumber: number; original: DocumentJSON | null }>();
  for (const write of writes) {
    const tableNumber = checkWrite(write, registry);
    const first = last.get(write.id);
    last.delete(write.id);
    last.set(write.id, { write, tableNumber, original: first ? first.original : write.original });
  }
  const out: PreparedCommit["writes"][number][] = [];
  for (const { write, tableNumber, original } of last.values()) {
    if (original === null && write.value === null) continue;
    const indexWrites: IndexWrite[] = [];
    for (const index of registry.indexesOf(tableNumber))
      indexWrites.push({
        index: index.info.id,
        oldKey: original ? index.keyOf(original) : null,
        newKey: write.value ? index.keyOf(write.value) : null,
      });
    const json = write.value === null ? null : (write.json ?? JSON.stringify(write.value));
    // Found here (in the function's thread), so the commit only looks at a flag.
    if (json !== null && hasCommitTs(json))
      out.push({ id: write.id, table: write.table, json, indexWrites, commitTs: true });
    else out.push({ id: write.id, table: write.table, json, indexWrites });
  }
  return { schemaVersion: registry.version, writes: out };
}

/** The writes of a prepared commit as plain document writes (to plan them the usual way). */
export function writesOfPrepared(prepared: PreparedCommit): DocumentWrite[] {
  return prepared.writes.map((w) => ({
    id: w.id as DocumentId,
    table: w.table,
    value: w.json === null ? null : (JSON.parse(w.json) as DocumentJSON),
  }));
}

/** Plans a prepared commit made against the current registry: no reads, just a timestamp. */
export function planPrepared(
  prepared: PreparedCommit,
  meta: CommitPlan["meta"] | undefined,
  registry: Registry,
  head: Head,
): { plan: CommitPlan; result: CommitResult } {
  const ts = nextTimestamp(head.latestTs);
  const versions: (DocRef & { json: string | null })[] = [];
  const entries: EntryRow[] = [];
  const indexWrites: IndexWrite[] = [];
  for (const unresolved of prepared.writes) {
    const w = unresolved.commitTs ? resolvePreparedWrite(unresolved, ts, registry) : unresolved;
    const table = registry.table(w.table);
    if (!table) throw storageError("NotFound", "TableNotFound", `Table ${JSON.stringify(w.table)} does not exist`);
    const docKey = docKeyOf(w.id);
    versions.push({ tableNumber: table.number, id: w.id, docKey, json: w.json });
    for (const iw of w.indexWrites) {
      indexWrites.push(iw);
      const index = registry.index(iw.index);
      if (!index) throw storageError("NotFound", "IndexNotFound", `Index ${iw.index} does not exist`);
      if (index.source.kind === "documents") continue;
      const { oldKey, newKey } = iw;
      if (oldKey && newKey && Buffer.compare(oldKey, newKey) === 0) continue;
      if (oldKey) entries.push({ indexId: iw.index, key: oldKey, docKey, deleted: true });
      if (newKey) entries.push({ indexId: iw.index, key: newKey, docKey, deleted: false });
    }
  }
  return { plan: { ts, versions, entries, meta: meta ?? [] }, result: { ts: ts as Timestamp, indexWrites } };
}
