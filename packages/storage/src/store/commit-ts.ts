/**
 * `db.vars.commitTs`: a written value may hold the placeholder `{"$commitTs":null}` (anywhere,
 * nested too), which the commit replaces by its own timestamp as an int64. Only the commit knows
 * that timestamp, so the writes that hold it are flagged when prepared and finished here.
 */
import type { DocumentJSON, IndexWrite, PreparedWrite } from "../types.js";
import type { Registry } from "./registry.js";

/** As `JSON.stringify` writes it (a string value cannot contain it unescaped). */
const PLACEHOLDER = '{"$commitTs":null}';

export function hasCommitTs(json: string): boolean {
  return json.includes(PLACEHOLDER);
}

/** The value text with every placeholder replaced by `ts` (`{"$integer": base64 of int64 LE}`). */
export function resolveCommitTs(json: string, ts: bigint): string {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64LE(ts);
  return json.replaceAll(PLACEHOLDER, `{"$integer":"${bytes.toString("base64")}"}`);
}

/** A prepared write with its placeholders resolved and the new index keys of the resolved value. */
export function resolvePreparedWrite(w: PreparedWrite, ts: bigint, registry: Registry): PreparedWrite {
  if (w.json === null) return w;
  const json = resolveCommitTs(w.json, ts);
  const value = JSON.parse(json) as DocumentJSON;
  const indexWrites: IndexWrite[] = w.indexWrites.map((iw) => {
    const index = registry.index(iw.index);
    return index ? { index: iw.index, oldKey: iw.oldKey, newKey: index.keyOf(value) } : iw;
  });
  return { id: w.id, table: w.table, json, indexWrites };
}
