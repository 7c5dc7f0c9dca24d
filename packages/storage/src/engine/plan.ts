/**
 * Turns a commit request into the rows to write: one version per written document and, for every
 * index of its table, the old and new key — reported in `indexWrites` even when unchanged (the
 * document under that key changed, so readers of that key must hear of it), but written as index
 * entries only when the key moves.
 */
import { storageError } from "../errors.js";
import { decodeId } from "../ids/documentId.js";
import type { CommitRequest, CommitResult, DocumentJSON, DocumentWrite, IndexWrite, Timestamp } from "../types.js";
import { nextTimestamp } from "./clock.js";
import { docKeyOf } from "./docKey.js";
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
    const table = registry.table(write.table);
    if (!table) throw storageError("NotFound", "TableNotFound", `Table ${JSON.stringify(write.table)} does not exist`);
    const decoded = decodeId(write.id);
    if (!decoded || decoded.tableNumber !== table.number)
      throw storageError("BadRequest", "IdTableMismatch", `Id ${write.id} does not belong to table ${JSON.stringify(write.table)}`);
    if (write.value !== null) checkDocument(write.id, write.value);
    byId.delete(write.id);
    byId.set(write.id, { write, doc: { tableNumber: table.number, id: write.id, docKey: docKeyOf(write.id) } });
  }
  return [...byId.values()];
}

function checkDocument(id: string, value: DocumentJSON): void {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw storageError("BadRequest", "InvalidDocument", `Document ${id} is not an object`);
  if (value._id !== id)
    throw storageError("BadRequest", "InvalidDocument", `Document _id ${String(value._id)} differs from the write's id ${id}`);
  if (typeof value._creationTime !== "number")
    throw storageError("BadRequest", "InvalidDocument", `Document ${id} has no numeric _creationTime`);
}

export function planCommit(
  request: CommitRequest,
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
    versions.push({ ...doc, json: write.value === null ? null : JSON.stringify(write.value) });
    for (const index of registry.indexesOf(doc.tableNumber)) {
      const oldKey = oldDoc ? index.keyOf(oldDoc) : null;
      const newKey = write.value ? index.keyOf(write.value) : null;
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
