/**
 * Commits other writers (other nodes on one Postgres) made, rebuilt from the versions they wrote:
 * for every index of each written document's table, the key of the version it replaced and of the
 * new one — the same `indexWrites` a commit reports to its own caller.
 */
import type { DocumentJSON, IndexWrite, OtherCommit, Timestamp } from "../types.js";
import type { ChangedVersion } from "./dialect.js";
import type { Registry } from "./registry.js";

export function commitsOf(rows: readonly ChangedVersion[], registry: Registry): OtherCommit[] {
  const out: { ts: Timestamp; tables: string[]; indexWrites: IndexWrite[] }[] = [];
  for (const row of rows) {
    let commit = out[out.length - 1];
    if (!commit || commit.ts !== row.ts) out.push((commit = { ts: row.ts as Timestamp, tables: [], indexWrites: [] }));
    const table = registry.tableByNumber(row.tableNumber as never);
    if (!table) continue; // dropped since
    if (!commit.tables.includes(table.name)) commit.tables.push(table.name);
    const prev = row.prevJson === null ? null : (JSON.parse(row.prevJson) as DocumentJSON);
    const next = row.json === null ? null : (JSON.parse(row.json) as DocumentJSON);
    for (const index of registry.indexesOf(row.tableNumber))
      commit.indexWrites.push({
        index: index.info.id,
        oldKey: prev && index.keyOf(prev),
        newKey: next && index.keyOf(next),
      });
  }
  return out;
}
