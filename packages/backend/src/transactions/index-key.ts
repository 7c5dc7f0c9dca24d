/** The key a document has in an index: its values at the index's field paths, encoded in order. */
import { encodeIndexKey, getJSONFieldPath, type DocumentJSON, type IndexInfo, type IndexKey } from "@tandem/storage";

export function documentIndexKey(doc: DocumentJSON, index: Pick<IndexInfo, "fields">): IndexKey {
  return encodeIndexKey(index.fields.map((f) => getJSONFieldPath(doc, f)));
}
