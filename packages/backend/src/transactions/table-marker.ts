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

/** Markers are the same for every commit into a table: made once (keys are never mutated). */
const markers = new Map<string, IndexWrite>();

export function tableMarkerWrites(tables: Iterable<string>): IndexWrite[] {
  const out: IndexWrite[] = [];
  for (const t of new Set(tables)) {
    let m = markers.get(t);
    if (!m) {
      if (markers.size > 10_000) markers.clear();
      m = { index: CATALOG_INDEX, oldKey: null, newKey: encodeIndexKey([t]) };
      markers.set(t, m);
    }
    out.push(m);
  }
  return out;
}
