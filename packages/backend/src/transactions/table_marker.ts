/**
 * A query over a table that does not exist yet reads nothing, but must still be re-run (and a
 * mutation re-checked) once documents appear in it. Such reads are recorded as a point on a
 * virtual "catalog" index keyed by table name, and every commit writes that point for each table
 * it writes into.
 */
import { encodeIndexKey, pointRange, type IndexId, type IndexWrite, type KeyRange } from "@tandem/storage";

export const CATALOG_INDEX = -1 as IndexId;

export function tableMarkerRange(table: string): KeyRange {
  return pointRange(CATALOG_INDEX, encodeIndexKey([table]));
}

export function tableMarkerWrites(tables: Iterable<string>): IndexWrite[] {
  return [...new Set(tables)].map((t) => ({ index: CATALOG_INDEX, oldKey: null, newKey: encodeIndexKey([t]) }));
}
