/**
 * A job's read set and prepared writes as they cross from a function thread to the main thread:
 * one string instead of a tree of objects. A structured clone pays for every property and about
 * 1 µs for every `Uint8Array` (a fresh ArrayBuffer on each side); an insert's result carries six
 * keys. Here the shape goes as JSON with each key replaced by its length, followed by every key's
 * bytes as Latin-1 text; the main thread copies those bytes into one buffer, and the keys are
 * views of it. Document texts stay outside (strings clone as a copy, without escaping).
 */
import type { IndexId, IndexKey, KeyRange, PreparedCommit, PreparedWrite } from "@tandem/storage";

export interface PackedJob {
  /** `<length of the JSON>:<JSON><key bytes as Latin-1>`. */
  readonly text: string;
  /** The document texts of the writes that are not deletions, in order. */
  readonly docs: readonly string[];
}

/** Index, start length, end length (-1: open). */
type RangeShape = [number, number, number];
/** Id, table, index writes as [index, old key length, new key length], commitTs placeholder, deletion. */
type WriteShape = [string, string, Array<[number, number, number]>, 0 | 1, 0 | 1];
interface Shape {
  /** Read set. */
  r: RangeShape[];
  /** Registry version of the prepared writes. */
  s: number;
  w: WriteShape[];
}

export function packJob(readSet: readonly KeyRange[], prepared: PreparedCommit): PackedJob {
  const keys: string[] = [];
  const key = (k: IndexKey | null): number => {
    if (k === null) return -1;
    keys.push(Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString("latin1"));
    return k.byteLength;
  };
  const docs: string[] = [];
  const shape: Shape = {
    r: readSet.map((r) => [r.index, key(r.start), key(r.end)]),
    s: prepared.schemaVersion,
    w: prepared.writes.map((w) => {
      if (w.json !== null) docs.push(w.json);
      return [
        w.id,
        w.table,
        w.indexWrites.map((i): [number, number, number] => [i.index, key(i.oldKey), key(i.newKey)]),
        w.commitTs ? 1 : 0,
        w.json === null ? 1 : 0,
      ];
    }),
  };
  const json = JSON.stringify(shape);
  return { text: `${json.length}:${json}${keys.join("")}`, docs };
}

export function unpackJob(p: PackedJob): { readSet: KeyRange[]; prepared: PreparedCommit } {
  const colon = p.text.indexOf(":");
  const end = colon + 1 + Number(p.text.slice(0, colon));
  const shape = JSON.parse(p.text.slice(colon + 1, end)) as Shape;
  const bytesText = p.text.slice(end);
  // Its own ArrayBuffer (not a slice of Node's shared pool): keys are kept after the job.
  const bytes = Buffer.allocUnsafeSlow(bytesText.length);
  bytes.write(bytesText, 0, "latin1");
  let at = 0;
  const key = (length: number): IndexKey | null => {
    if (length < 0) return null;
    const k = bytes.subarray(at, at + length);
    at += length;
    return k as unknown as IndexKey;
  };
  const readSet = shape.r.map(([index, start, end]): KeyRange => ({
    index: index as IndexId,
    start: key(start)!,
    end: key(end),
  }));
  let doc = 0;
  const writes = shape.w.map(([id, table, indexWrites, commitTs, deletion]): PreparedWrite => {
    const w = {
      id: id as PreparedWrite["id"],
      table,
      json: deletion ? null : p.docs[doc++]!,
      indexWrites: indexWrites.map(([index, oldKey, newKey]) => ({
        index: index as IndexId,
        oldKey: key(oldKey),
        newKey: key(newKey),
      })),
    };
    return commitTs ? { ...w, commitTs: true } : w;
  });
  return { readSet, prepared: { schemaVersion: shape.s, writes } };
}
