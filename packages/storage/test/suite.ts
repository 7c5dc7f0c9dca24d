/**
 * The storage suite every dialect runs (`runStorageSuite("sqlite", …)`). A target hands out fresh,
 * empty stores that can be opened several times (reopen, read-only second connections).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { compareValues, convexToJson, type Value } from "convex/values";
import {
  compareKeys,
  decodeIndexKey,
  encodeIndexKey,
  fromConvexJSON,
  fullRange,
  indexRange,
  rangeAfter,
  type DocumentId,
  type DocumentJSON,
  type IndexInfo,
  type IndexKey,
  type KeyRange,
  type OtherCommit,
  type SnapshotReader,
  type Storage,
  type Timestamp,
} from "../src/index.js";

export interface StoreHandle {
  open(options?: { readonly?: boolean }): Promise<Storage>;
  dispose(): Promise<void>;
}
export type OpenTarget = () => Promise<StoreHandle>;

/** Opens a fresh store, runs `fn`, closes whatever was opened. */
async function withStore(target: OpenTarget, fn: (s: Storage, h: StoreHandle) => Promise<void>): Promise<void> {
  const handle = await target();
  const opened: Storage[] = [];
  const tracked: StoreHandle = {
    open: async (o) => {
      const s = await handle.open(o);
      opened.push(s);
      return s;
    },
    dispose: handle.dispose,
  };
  try {
    await fn(await tracked.open(), tracked);
  } finally {
    for (const s of opened) await s.close();
    await handle.dispose();
  }
}

let clock = 1_700_000_000_000;
function doc(s: Storage, table: string, fields: Record<string, unknown>): DocumentJSON {
  const id = s.newId(table);
  return { _id: id, _creationTime: clock++, ...(fields as Record<string, DocumentJSON[string]>) };
}

async function insert(s: Storage, table: string, fields: Record<string, unknown>) {
  const value = doc(s, table, fields);
  const r = await s.commit({ writes: [{ id: value._id as DocumentId, table, value }] });
  return { id: value._id as DocumentId, value, ts: r.ts };
}

async function scanAll(snap: SnapshotReader, range: KeyRange, order: "asc" | "desc" = "asc"): Promise<DocumentJSON[]> {
  return (await snap.scan(range, order, 10_000)).map((e) => e.doc.value);
}

/** Pages through `range` `pageSize` at a time, narrowing the range past the last key each time. */
async function scanPaged(snap: SnapshotReader, range: KeyRange, order: "asc" | "desc", pageSize: number) {
  const out: DocumentJSON[] = [];
  let cur = range;
  for (;;) {
    const page = await snap.scan(cur, order, pageSize);
    out.push(...page.map((e) => e.doc.value));
    if (page.length < pageSize) return out;
    cur = rangeAfter(cur, page[page.length - 1]!.key, order);
  }
}

const byName = (s: Storage, table: string, name: string): IndexInfo => {
  const i = s.indexes(table).find((x) => x.name === name);
  assert.ok(i, `index ${table}.${name}`);
  return i;
};

/** `options.skip`: why this target can't run here (an unreachable server outside CI). */
export function runStorageSuite(name: string, target: OpenTarget, options: { skip?: string | false } = {}): void {
  const t = (title: string, fn: (s: Storage, h: StoreHandle) => Promise<void>) =>
    test(`[${name}] ${title}`, options, () => withStore(target, fn));

  t("commitMany applies requests in order, each at its own ts, skipping and isolating failures", async (s, h) => {
    await s.ensureTable("messages");
    const a = doc(s, "messages", { n: 1 });
    const b = doc(s, "messages", { n: 2 });
    const c = doc(s, "messages", { n: 3 });
    const before = s.latestTs();
    const seen: number[] = [];
    const results = await s.commitMany(
      [
        { writes: [{ id: a._id as DocumentId, table: "messages", value: a }] },
        { writes: [{ id: b._id as DocumentId, table: "messages", value: b }] },
        { writes: [{ id: a._id as DocumentId, table: "users", value: a }] },
        { writes: [{ id: c._id as DocumentId, table: "messages", value: c }], meta: [["k", "v"]] },
      ],
      {
        accept: (i) => {
          seen.push(i);
          return i !== 1;
        },
      },
    );
    assert.deepEqual(seen, [0, 1, 3]);
    const [ra, rb, rx, rc] = results;
    assert.equal(rb, "skipped");
    assert.ok(rx instanceof Error);
    assert.ok(typeof ra === "object" && !(ra instanceof Error) && typeof rc === "object" && !(rc instanceof Error));
    assert.ok(ra.ts > before && rc.ts > ra.ts);
    assert.equal(s.latestTs(), rc.ts);
    const snap = s.snapshot();
    assert.ok(await snap.get(a._id as DocumentId));
    assert.equal(await snap.get(b._id as DocumentId), null);
    assert.ok(await snap.get(c._id as DocumentId));
    assert.equal(await s.getMeta("k"), "v");
    // Between the two commits the first one alone is visible.
    assert.equal(await s.snapshot(ra.ts).get(c._id as DocumentId), null);
    const reader = await h.open({ readonly: true });
    await reader.sync();
    assert.ok(await reader.snapshot().get(c._id as DocumentId));
  });

  t("a large group commit (more rows than one statement takes) stores every document and entry", async (s) => {
    await s.ensureTable("g");
    const byN = await s.addIndex("g", "by_n", ["n", "_creationTime", "_id"]);
    const docs = Array.from({ length: 150 }, (_, n) => doc(s, "g", { n }));
    const requests = await Promise.all(
      docs.map(async (d) => ({
        prepared: await s.prepare([{ id: d._id as DocumentId, table: "g", value: d, original: null }]),
      })),
    );
    // Half prepared, half planned: both kinds of rows share the group's buffers.
    const mixed = requests.map((r, i) =>
      i % 2 === 0 ? r : { writes: [{ id: docs[i]!._id as DocumentId, table: "g", value: docs[i]! }] },
    );
    const results = await s.commitMany(mixed);
    assert.ok(results.every((r) => typeof r === "object" && !(r instanceof Error)));
    const snap = s.snapshot();
    assert.deepEqual(
      (await scanAll(snap, fullRange(byN))).map((d) => d.n),
      docs.map((d) => d.n),
    );
    for (const d of [docs[0]!, docs[77]!, docs[149]!])
      assert.deepEqual((await snap.get(d._id as DocumentId))?.value, d);
  });

  t(
    "a commit resolves db.vars.commitTs placeholders to its own ts, in values and index keys, prepared or planned",
    async (s) => {
      await s.ensureTable("c");
      const byAt = await s.addIndex("c", "by_at", ["at", "_creationTime", "_id"]);
      const placeholder = { $commitTs: null };
      const a = doc(s, "c", { at: placeholder, nested: { at: placeholder }, text: '{"$commitTs":null}' });
      const b = doc(s, "c", { at: placeholder });
      const [ra, rb] = await s.commitMany([
        { prepared: await s.prepare([{ id: a._id as DocumentId, table: "c", value: a, original: null }]) },
        { writes: [{ id: b._id as DocumentId, table: "c", value: b }] },
      ]);
      const int64 = (ts: bigint) => {
        const bytes = Buffer.alloc(8);
        bytes.writeBigInt64LE(ts);
        return { $integer: bytes.toString("base64") };
      };
      const tsA = (ra as { ts: Timestamp }).ts;
      const tsB = (rb as { ts: Timestamp }).ts;
      const snap = s.snapshot();
      assert.deepEqual((await snap.get(a._id as DocumentId))?.value, {
        ...a,
        at: int64(tsA),
        nested: { at: int64(tsA) },
      });
      assert.deepEqual((await snap.get(b._id as DocumentId))?.value, { ...b, at: int64(tsB) });
      // The index orders them by commit ts (the resolved keys, not the placeholder's).
      const range = indexRange(byAt, [], { value: tsA, inclusive: true }, { value: tsB, inclusive: true });
      assert.deepEqual(
        (await scanAll(snap, range)).map((d) => d._id),
        [a._id, b._id],
      );
    },
  );

  t("prepared commits (keyed on another connection) store what planned commits store", async (s, h) => {
    await s.ensureTable("p");
    const byN = await s.addIndex("p", "by_n", ["n", "_creationTime", "_id"]);
    const kept = await insert(s, "p", { n: 1 });
    const gone = await insert(s, "p", { n: 2 });
    const reader = await h.open({ readonly: true });
    const fresh = doc(s, "p", { n: 3 });
    const patched = { ...kept.value, n: 10 };
    const missing = doc(s, "p", { n: 99 });
    const prepared = await reader.prepare([
      { id: fresh._id as DocumentId, table: "p", value: fresh, original: null },
      { id: kept.id, table: "p", value: patched, original: kept.value },
      { id: gone.id, table: "p", value: null, original: gone.value },
      // Deleting a document that never existed writes nothing.
      { id: missing._id as DocumentId, table: "p", value: null, original: null },
    ]);
    assert.equal(prepared.writes.length, 3);
    // Values cross threads by structured clone: keys arrive as plain Uint8Arrays.
    const result = await s.commit({ prepared: structuredClone(prepared) });
    // Every index of each written document is reported, as a planned commit reports them.
    assert.equal(result.indexWrites.length, 3 * s.indexes("p").length);
    const snap = s.snapshot();
    assert.deepEqual((await snap.get(kept.id))?.value, patched);
    assert.equal(await snap.get(gone.id), null);
    assert.deepEqual((await snap.get(fresh._id as DocumentId))?.value, fresh);
    assert.deepEqual(
      (await scanAll(snap, fullRange(byN))).map((d) => d.n),
      [3, 10],
    );
    // The patch moved the document's by_n key: the old key is gone, not duplicated.
    assert.deepEqual(await scanAll(snap, indexRange(byN, [1])), []);
  });

  t("a prepared commit made before the registry changed is planned again from the stored versions", async (s, h) => {
    await s.ensureTable("p");
    const old = await insert(s, "p", { n: 1, tag: "a" });
    const reader = await h.open({ readonly: true });
    const next = { ...old.value, tag: "b" };
    const prepared = await reader.prepare([{ id: old.id, table: "p", value: next, original: old.value }]);
    const byTag = await s.addIndex("p", "by_tag", ["tag", "_creationTime", "_id"]);
    const result = await s.commitMany([{ prepared: structuredClone(prepared) }]);
    assert.ok(!(result[0] instanceof Error) && result[0] !== "skipped");
    // The index the preparing connection did not know of got its entry moved too.
    const snap = s.snapshot();
    assert.deepEqual(
      (await scanAll(snap, indexRange(byTag, ["b"]))).map((d) => d._id),
      [old.id],
    );
    assert.deepEqual(await scanAll(snap, indexRange(byTag, ["a"])), []);
  });

  t("tables get stable numbers and built-in indexes", async (s) => {
    assert.equal(s.latestTs(), 0n);
    const a = await s.ensureTable("messages");
    const b = await s.ensureTable("users");
    const sys = await s.ensureTable("_scheduled_functions");
    assert.equal(a.number, 10001);
    assert.equal(b.number, 10002);
    assert.ok(sys.number < 10001 && sys.number > 0);
    assert.deepEqual(await s.ensureTable("messages"), a);
    assert.equal(s.tableByNumber(a.number)?.name, "messages");
    assert.deepEqual(
      s.indexes("messages").map((i) => [i.name, i.fields]),
      [
        ["by_id", ["_id"]],
        ["by_creation_time", ["_creationTime", "_id"]],
      ],
    );
    await assert.rejects(s.ensureTable("bad-name"), { code: "InvalidTableName" });
    await assert.rejects(s.ensureTable("___"), { code: "InvalidTableName" });
    assert.throws(() => s.newId("nope"), { code: "TableNotFound" });
  });

  t("insert, patch and delete are visible at their snapshots only", async (s) => {
    await s.ensureTable("t");
    const ins = await insert(s, "t", { n: 1 });
    const patched = { ...ins.value, n: 2, extra: { $integer: "AQAAAAAAAAA=" } };
    const p = await s.commit({ writes: [{ id: ins.id, table: "t", value: patched }] });
    const d = await s.commit({ writes: [{ id: ins.id, table: "t", value: null }] });
    assert.ok(ins.ts < p.ts && p.ts < d.ts);
    assert.equal(s.latestTs(), d.ts);
    assert.equal(await s.snapshot((ins.ts - 1n) as Timestamp).get(ins.id), null);
    const v1 = await s.snapshot(ins.ts).get(ins.id);
    assert.deepEqual(v1, { id: ins.id, table: "t", ts: ins.ts, value: ins.value });
    const v2 = await s.snapshot(p.ts).get(ins.id);
    assert.deepEqual(v2?.value, patched);
    assert.equal(v2?.ts, p.ts);
    assert.equal(fromConvexJSON(v2!.value.extra!), 1n);
    assert.equal(await s.snapshot(d.ts).get(ins.id), null);
    assert.equal(await s.snapshot().get(ins.id), null);
    assert.equal(await s.snapshot().get("garbage" as DocumentId), null);
    // Scans agree with gets at each snapshot.
    const byCt = byName(s, "t", "by_creation_time");
    assert.equal((await scanAll(s.snapshot(p.ts), fullRange(byCt))).length, 1);
    assert.equal((await scanAll(s.snapshot(d.ts), fullRange(byCt))).length, 0);
    assert.throws(() => s.snapshot((d.ts + 1_000_000_000n) as Timestamp), { code: "TimestampInFuture" });
  });

  t("a reader at ts T does not see later commits", async (s) => {
    await s.ensureTable("t");
    const a = await insert(s, "t", { n: 1 });
    const snap = s.snapshot();
    assert.equal(snap.ts, a.ts);
    const b = await insert(s, "t", { n: 2 });
    await s.commit({ writes: [{ id: a.id, table: "t", value: { ...a.value, n: 100 } }] });
    assert.equal(await snap.get(b.id), null);
    assert.equal((await snap.get(a.id))?.value.n, 1);
    const docs = await scanAll(snap, fullRange(byName(s, "t", "by_id")));
    assert.deepEqual(docs, [a.value]);
    assert.equal((await scanAll(s.snapshot(), fullRange(byName(s, "t", "by_id")))).length, 2);
  });

  t("scans by_id, by_creation_time and user indexes in both orders, with limits and continuation", async (s) => {
    await s.ensureTable("t");
    const byChannel = await s.addIndex("t", "by_channel", ["channel", "n", "_creationTime", "_id"]);
    const docs: DocumentJSON[] = [];
    const channels = ["b", "a", null, "c", undefined];
    for (let i = 0; i < 25; i++) {
      const ch = channels[i % channels.length];
      const fields: Record<string, unknown> = { n: (i * 7) % 10 };
      if (ch !== undefined) fields.channel = ch;
      docs.push((await insert(s, "t", fields)).value);
    }
    const snap = s.snapshot();
    const byId = byName(s, "t", "by_id");
    const byCt = byName(s, "t", "by_creation_time");

    const sortBy = (fields: string[]) => (x: DocumentJSON, y: DocumentJSON) => {
      for (const f of fields) {
        const c = compareValues(
          x[f] === undefined ? undefined : fromConvexJSON(x[f]!),
          y[f] === undefined ? undefined : fromConvexJSON(y[f]!),
        );
        if (c !== 0) return c;
      }
      return 0;
    };
    const expectIds = [...docs].sort(sortBy(["_id"]));
    const expectCt = [...docs].sort(sortBy(["_creationTime", "_id"]));
    const expectCh = [...docs].sort(sortBy(["channel", "n", "_creationTime", "_id"]));
    assert.deepEqual(await scanAll(snap, fullRange(byId)), expectIds);
    assert.deepEqual(await scanAll(snap, fullRange(byId), "desc"), [...expectIds].reverse());
    assert.deepEqual(await scanAll(snap, fullRange(byCt)), expectCt);
    assert.deepEqual(await scanAll(snap, fullRange(byChannel)), expectCh);
    assert.deepEqual(await scanAll(snap, fullRange(byChannel), "desc"), [...expectCh].reverse());
    for (const size of [1, 3, 7, 25, 30]) {
      assert.deepEqual(await scanPaged(snap, fullRange(byCt), "asc", size), expectCt, `asc page ${size}`);
      assert.deepEqual(
        await scanPaged(snap, fullRange(byChannel), "desc", size),
        [...expectCh].reverse(),
        `desc page ${size}`,
      );
    }
    // Limits take from the right end.
    assert.deepEqual(
      await scanAll(snap, fullRange(byCt)).then((d) => d.slice(0, 4)),
      (await snap.scan(fullRange(byCt), "asc", 4)).map((e) => e.doc.value),
    );
    assert.deepEqual(
      (await snap.scan(fullRange(byCt), "desc", 2)).map((e) => e.doc.value),
      [...expectCt].reverse().slice(0, 2),
    );
    assert.deepEqual(await snap.scan(fullRange(byCt), "asc", 0), []);

    // Equality and bounds: missing channel sorts first, then null, then strings.
    const isCh = (c: unknown) => (d: DocumentJSON) => (c === undefined ? !("channel" in d) : d.channel === c);
    assert.deepEqual(await scanAll(snap, indexRange(byChannel, ["a"])), expectCh.filter(isCh("a")));
    assert.deepEqual(await scanAll(snap, indexRange(byChannel, [undefined])), expectCh.filter(isCh(undefined)));
    assert.deepEqual(await scanAll(snap, indexRange(byChannel, [null])), expectCh.filter(isCh(null)));
    const aGe5 = expectCh.filter((d) => d.channel === "a" && (d.n as number) >= 5);
    assert.deepEqual(await scanAll(snap, indexRange(byChannel, ["a"], { value: 5, inclusive: true })), aGe5);
    const aLt5 = expectCh.filter((d) => d.channel === "a" && (d.n as number) < 5);
    assert.deepEqual(
      await scanAll(snap, indexRange(byChannel, ["a"], undefined, { value: 5, inclusive: false })),
      aLt5,
    );
    const bToC = expectCh.filter((d) => d.channel === "b" || d.channel === "c");
    assert.deepEqual(
      await scanAll(snap, indexRange(byChannel, [], { value: "a", inclusive: false }, { value: "c", inclusive: true })),
      bToC,
    );
    // Each returned entry carries its key, which decodes to the index fields.
    const [first] = await snap.scan(indexRange(byChannel, ["a"]), "asc", 1);
    assert.ok(first);
    const decoded = decodeIndexKey(first.key);
    assert.deepEqual(decoded.slice(0, 1), ["a"]);
    assert.equal(decoded[3], first.doc.id);
    await assert.rejects(snap.scan({ index: 99_999 as IndexInfo["id"], start: first.key, end: null }, "asc", 1), {
      code: "IndexNotFound",
    });
  });

  t("indexWrites carry the old and new key of every index of the written table", async (s) => {
    await s.ensureTable("t");
    const byA = await s.addIndex("t", "by_a", ["a", "_creationTime", "_id"]);
    const ids = s
      .indexes("t")
      .map((i) => i.id)
      .sort();
    const ins = await insert(s, "t", { a: 1 });
    const keyA = (a: Value | undefined) => encodeIndexKey([a, ins.value._creationTime, ins.id]);
    const first = (await s.commit({ writes: [{ id: ins.id, table: "t", value: { ...ins.value, a: 2 } }] })).indexWrites;
    assert.deepEqual(first.map((w) => w.index).sort(), ids);
    const wa = first.find((w) => w.index === byA.id)!;
    assert.equal(compareKeys(wa.oldKey!, keyA(1)), 0);
    assert.equal(compareKeys(wa.newKey!, keyA(2)), 0);
    const wid = first.find((w) => w.index === byName(s, "t", "by_id").id)!;
    assert.equal(compareKeys(wid.oldKey!, wid.newKey!), 0, "unchanged key is still reported");
    assert.equal(compareKeys(wid.newKey!, encodeIndexKey([ins.id])), 0);
    // The old key no longer finds the document, the new one does.
    const snap = s.snapshot();
    assert.equal((await scanAll(snap, indexRange(byA, [1]))).length, 0);
    assert.equal((await scanAll(snap, indexRange(byA, [2]))).length, 1);
    assert.equal((await scanAll(s.snapshot(ins.ts), indexRange(byA, [1]))).length, 1);

    const del = (await s.commit({ writes: [{ id: ins.id, table: "t", value: null }] })).indexWrites;
    assert.ok(del.every((w) => w.oldKey !== null && w.newKey === null));
    const created = await insert(s, "t", { a: 3 });
    const ir = await s.commit({ writes: [{ id: s.newId("t"), table: "t", value: null }] });
    assert.deepEqual(ir.indexWrites, [], "deleting a missing document changes nothing");
    assert.ok(ir.ts > created.ts);
  });

  t("commit rejects ids of another table, unknown tables and bad documents", async (s) => {
    await s.ensureTable("a");
    await s.ensureTable("b");
    const idA = s.newId("a");
    const before = s.latestTs();
    const value = { _id: idA, _creationTime: 1 };
    await assert.rejects(s.commit({ writes: [{ id: idA, table: "b", value }] }), { code: "IdTableMismatch" });
    await assert.rejects(s.commit({ writes: [{ id: "junk" as DocumentId, table: "a", value: null }] }), {
      code: "IdTableMismatch",
    });
    await assert.rejects(s.commit({ writes: [{ id: idA, table: "zzz", value }] }), { code: "TableNotFound" });
    const other = s.newId("a");
    await assert.rejects(s.commit({ writes: [{ id: other, table: "a", value }] }), { code: "InvalidDocument" });
    await assert.rejects(
      s.commit({ writes: [{ id: idA, table: "a", value: { _id: idA } as unknown as DocumentJSON }] }),
      { code: "InvalidDocument" },
    );
    assert.equal(s.latestTs(), before);
    assert.equal(await s.snapshot().get(idA), null);
  });

  t("meta is written atomically with the commit", async (s) => {
    await s.ensureTable("t");
    const value = doc(s, "t", {});
    await s.commit({
      writes: [{ id: value._id as DocumentId, table: "t", value }],
      meta: [
        ["cursor", "42"],
        ["gone", null],
      ],
    });
    assert.equal(await s.getMeta("cursor"), "42");
    const bad = { _id: s.newId("t"), _creationTime: 1 };
    await assert.rejects(
      s.commit({ writes: [{ id: bad._id as DocumentId, table: "nope", value: bad }], meta: [["cursor", "43"]] }),
    );
    assert.equal(await s.getMeta("cursor"), "42", "a rejected commit writes no meta");
    await s.commit({ writes: [], meta: [["cursor", null]] });
    assert.equal(await s.getMeta("cursor"), null);
    await s.setMeta("k", "v");
    assert.equal(await s.getMeta("k"), "v");
    await s.setMeta("k", null);
    assert.equal(await s.getMeta("k"), null);
  });

  t("addIndex backfills from the latest snapshot; dropIndex removes it", async (s) => {
    await s.ensureTable("t");
    const docs = [];
    for (let i = 0; i < 600; i++) docs.push((await insert(s, "t", { k: i % 3, i })).value); // > one backfill page
    await s.commit({ writes: [{ id: docs[0]!._id as DocumentId, table: "t", value: null }] });
    const idx = await s.addIndex("t", "by_k", ["k", "_creationTime", "_id"]);
    assert.deepEqual(await s.addIndex("t", "by_k", ["k", "_creationTime", "_id"]), idx, "idempotent");
    await assert.rejects(s.addIndex("t", "by_k", ["i", "_creationTime", "_id"]), { code: "IndexExists" });
    await assert.rejects(s.addIndex("t", "by_bad", ["i"]), { code: "InvalidIndexFields" });
    await assert.rejects(s.addIndex("nope", "by_k", ["k", "_id"]), { code: "TableNotFound" });
    const k1 = await scanAll(s.snapshot(), indexRange(idx, [1]));
    assert.deepEqual(
      k1,
      docs.filter((d) => d.k === 1),
    );
    assert.equal((await scanAll(s.snapshot(), indexRange(idx, [0]))).length, 199);
    // New writes maintain it.
    const n = await insert(s, "t", { k: 1, i: -1 });
    assert.deepEqual((await scanAll(s.snapshot(), indexRange(idx, [1]))).at(-1), n.value);

    await s.dropIndex("t", "by_k");
    assert.equal(
      s.indexes("t").some((i) => i.name === "by_k"),
      false,
    );
    await assert.rejects(s.snapshot().scan(fullRange(idx), "asc", 1), { code: "IndexNotFound" });
    await s.dropIndex("t", "by_k"); // absent: no-op
    await assert.rejects(s.dropIndex("t", "by_id"), { code: "SystemIndex" });
    const again = await s.addIndex("t", "by_k", ["k", "_creationTime", "_id"]);
    assert.notEqual(again.id, idx.id, "index ids are never reused");
    const w = await s.commit({ writes: [{ id: n.id, table: "t", value: { ...n.value, k: 2 } }] });
    assert.equal(w.indexWrites.length, 3);
  });

  t("dropTable removes documents and indexes; the number is not reused", async (s) => {
    const t1 = await s.ensureTable("t");
    const a = await insert(s, "t", { x: 1 });
    await s.addIndex("t", "by_x", ["x", "_id"]);
    await s.dropTable!("t");
    assert.equal(
      s.tables().some((x) => x.name === "t"),
      false,
    );
    assert.equal(await s.snapshot().get(a.id), null);
    const t2 = await s.ensureTable("t");
    assert.ok(t2.number > t1.number);
    assert.equal(s.indexes("t").length, 2);
  });

  t("ensureTable takes a preferred number only when it is free, in range and never used", async (s) => {
    const a = await s.ensureTable("a", 10_050);
    assert.equal(a.number, 10_050);
    const b = await s.ensureTable("b", 10_050);
    assert.notEqual(b.number, 10_050, "taken");
    assert.equal((await s.ensureTable("a", 10_060)).number, 10_050, "an existing table keeps its number");
    assert.notEqual((await s.ensureTable("c", 600)).number, 600, "a system number for a user table");
    assert.equal((await s.ensureTable("_storage", 600)).number, 600);
    await s.dropTable!("b");
    const again = await s.ensureTable("d", b.number);
    assert.notEqual(again.number, b.number, "a dropped table's number is not reused");
  });

  t("timestamps are monotonic and everything survives close and reopen", async (s, h) => {
    await s.ensureTable("t");
    const idx = await s.addIndex("t", "by_x", ["x", "_creationTime", "_id"]);
    const a = await insert(s, "t", { x: "hello" });
    await s.setMeta("m", "1");
    const last = s.latestTs();
    await s.close();
    const r = await h.open();
    assert.equal(r.latestTs(), last);
    assert.deepEqual(r.tables(), s.tables());
    assert.deepEqual(r.indexes(), s.indexes());
    assert.deepEqual((await r.snapshot().get(a.id))?.value, a.value);
    assert.equal(await r.getMeta("m"), "1");
    assert.deepEqual(await scanAll(r.snapshot(), indexRange(idx, ["hello"])), [a.value]);
    let prev = r.latestTs();
    for (let i = 0; i < 50; i++) {
      const b = await insert(r, "t", { x: i });
      assert.ok(b.ts > prev);
      prev = b.ts;
    }
    assert.equal(r.newId("t").length >= 31, true);
    assert.equal((await r.ensureTable("u")).number, 10002);
  });

  t("a writer another writer overtook learns of its commits, then commits after them", async (s, h) => {
    await s.ensureTable("t");
    const byN = await s.addIndex("t", "by_n", ["n", "_creationTime", "_id"]);
    const other = await h.open();
    const seen: OtherCommit[] = [];
    s.onOtherCommits((commits) => seen.push(...commits));
    const a = await insert(s, "t", { n: 1 });
    // `other` has not seen `a`: its compare-and-set fails, it catches up and commits after it.
    const b = await insert(other, "t", { n: 2 });
    const patched = { ...a.value, n: 10 };
    const p = await other.commit({ writes: [{ id: a.id, table: "t", value: patched }] });
    assert.ok(b.ts > a.ts && p.ts > b.ts);
    const c = await insert(s, "t", { n: 3 });
    assert.ok(c.ts > p.ts);
    assert.deepEqual(
      seen.map((x) => [x.ts, x.tables]),
      [
        [b.ts, ["t"]],
        [p.ts, ["t"]],
      ],
    );
    const key = (d: DocumentJSON) => encodeIndexKey([d.n as number, d._creationTime, d._id]);
    const onByN = (x: OtherCommit) => x.indexWrites.filter((w) => w.index === byN.id);
    assert.deepEqual(onByN(seen[0]!), [{ index: byN.id, oldKey: null, newKey: key(b.value) }]);
    assert.deepEqual(onByN(seen[1]!), [{ index: byN.id, oldKey: key(a.value), newKey: key(patched) }]);
    // Every index of the table is reported, as a commit reports them to its own caller.
    assert.equal(seen[1]!.indexWrites.length, s.indexes("t").length);
    assert.deepEqual(
      (await scanAll(s.snapshot(), fullRange(byN))).map((d) => d.n),
      [2, 3, 10],
    );
  });

  t("a second, read-only connection sees committed data and schema changes", async (s, h) => {
    await s.ensureTable("t");
    const a = await insert(s, "t", { x: 1 });
    const ro = await h.open({ readonly: true });
    assert.equal(ro.latestTs(), s.latestTs());
    assert.deepEqual((await ro.snapshot().get(a.id))?.value, a.value);
    const b = await insert(s, "t", { x: 2 });
    // A snapshot at a commit the reader has not seen yet reads it (the writer hands its ts over,
    // as the engine does to function threads); one past the head is refused, at once or at the
    // first read where the reader must ask the database.
    assert.deepEqual((await ro.snapshot(b.ts).get(b.id))?.value, b.value);
    await assert.rejects(async () => ro.snapshot((b.ts + 1_000_000_000n) as Timestamp).get(b.id), {
      code: "TimestampInFuture",
    });
    // A ts handed over as committed (`true`) is taken on trust: the reader reads the commit and
    // asks the database for no head (so a ts past the head is not refused; a fresh reader here).
    const c = await insert(s, "t", { x: 3 });
    assert.deepEqual((await ro.snapshot(c.ts, true).get(c.id))?.value, c.value);
    const trusting = await h.open({ readonly: true });
    assert.equal(trusting.snapshot((c.ts + 1_000_000_000n) as Timestamp, true).ts, c.ts + 1_000_000_000n);
    // A reader learns of another connection's commits when it reads the head.
    assert.equal(await ro.sync(), c.ts);
    assert.equal(ro.latestTs(), c.ts);
    assert.deepEqual((await ro.snapshot().get(b.id))?.value, b.value);
    // A schema change made by the writer is picked up before the reader's next read.
    await s.ensureTable("u");
    const idx = await s.addIndex("t", "by_x", ["x", "_creationTime", "_id"]);
    const docs = await scanAll(ro.snapshot(), indexRange(idx, [2]));
    assert.deepEqual(docs, [b.value]);
    assert.ok(ro.tables().some((x) => x.name === "u"));
    await ro.reload();
    assert.ok(ro.indexes("t").some((i) => i.name === "by_x"));
    await assert.rejects(ro.commit({ writes: [] }), { code: "ReadOnlyStorage" });
    await assert.rejects(ro.setMeta("k", "v"), { code: "ReadOnlyStorage" });
    await assert.rejects(ro.ensureTable("v"), { code: "ReadOnlyStorage" });
  });

  test(`[${name}] random histories: scans at every snapshot match a model`, options, async () => {
    type Op =
      | { kind: "insert"; a: Value | undefined }
      | { kind: "patch"; pick: number; a: Value | undefined }
      | { kind: "delete"; pick: number };
    const small = fc.oneof(
      fc.constant(undefined),
      fc.constantFrom<Value>(null, 0n, 1n, 1, 2, -0, "x", "y", true, [1n], { z: 1 }),
    );
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant("insert" as const), a: small }),
      fc.record({ kind: fc.constant("patch" as const), pick: fc.nat(), a: small }),
      fc.record({ kind: fc.constant("delete" as const), pick: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(op, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 12 }),
        async (commits) => {
          await withStore(target, async (s) => {
            await s.ensureTable("t");
            const idx = await s.addIndex("t", "by_a", ["a", "_creationTime", "_id"]);
            const model = new Map<string, DocumentJSON>();
            const history: { ts: Timestamp; docs: DocumentJSON[] }[] = [];
            for (const ops of commits) {
              const writes = new Map<string, DocumentJSON | null>();
              for (const o of ops) {
                const live = [...model.keys()].filter((k) => !writes.has(k));
                if (o.kind === "insert") {
                  const d = doc(s, "t", o.a === undefined ? {} : { a: toJSON(o.a) });
                  writes.set(d._id, d);
                } else if (live.length) {
                  const id = live[o.pick % live.length]!;
                  if (o.kind === "delete") writes.set(id, null);
                  else {
                    const { a: _drop, ...rest } = model.get(id)!;
                    writes.set(
                      id,
                      o.a === undefined ? (rest as DocumentJSON) : ({ ...rest, a: toJSON(o.a) } as DocumentJSON),
                    );
                  }
                }
              }
              const r = await s.commit({
                writes: [...writes].map(([id, value]) => ({ id: id as DocumentId, table: "t", value })),
              });
              for (const [id, v] of writes) v === null ? model.delete(id) : model.set(id, v);
              history.push({ ts: r.ts, docs: [...model.values()] });
            }
            for (const { ts, docs } of history) {
              const snap = s.snapshot(ts);
              const keyOf = (d: DocumentJSON): IndexKey =>
                encodeIndexKey([d.a === undefined ? undefined : fromConvexJSON(d.a), d._creationTime, d._id]);
              const expected = [...docs].sort((x, y) => compareKeys(keyOf(x), keyOf(y)));
              assert.deepEqual(await scanAll(snap, fullRange(idx)), expected);
              assert.deepEqual(await scanPaged(snap, fullRange(idx), "desc", 2), [...expected].reverse());
              const inRange = expected.filter((d) => {
                const v = d.a === undefined ? undefined : fromConvexJSON(d.a);
                return compareValues(v, 0n) >= 0 && compareValues(v, "x") < 0;
              });
              assert.deepEqual(
                await scanAll(
                  snap,
                  indexRange(idx, [], { value: 0n, inclusive: true }, { value: "x", inclusive: false }),
                ),
                inRange,
              );
              for (const d of docs) assert.deepEqual((await snap.get(d._id as DocumentId))?.value, d);
              // by_id (served by the document versions themselves) at the same snapshot.
              const byId = byName(s, "t", "by_id");
              const expectedIds = [...docs].sort((x, y) => (x._id < y._id ? -1 : x._id > y._id ? 1 : 0));
              assert.deepEqual(await scanPaged(snap, fullRange(byId), "asc", 3), expectedIds);
              assert.deepEqual(await scanAll(snap, fullRange(byId), "desc"), [...expectedIds].reverse());
              if (expectedIds.length >= 2) {
                const mid = expectedIds[Math.floor(expectedIds.length / 2)]!._id;
                assert.deepEqual(
                  await scanAll(snap, indexRange(byId, [], { value: mid, inclusive: false })),
                  expectedIds.filter((d) => d._id > mid),
                );
              }
              // The text scan (function threads) reads the same entries; ids come from the keys.
              const rowsOf = (rows: Awaited<ReturnType<SnapshotReader["scan"]>>) =>
                rows.map((e) => [Buffer.from(e.key).toString("hex"), e.doc.id, e.doc.value]);
              const textOf = (rows: Awaited<ReturnType<SnapshotReader["scanText"]>>) =>
                rows.map((e) => [Buffer.from(e.key).toString("hex"), e.id, JSON.parse(e.json) as unknown]);
              // Past 24 distinct limits a scan shape uses its statement with a bound LIMIT.
              const limits =
                ts === history[history.length - 1]!.ts
                  ? [1, 2, 3, 5, 8, ...Array.from({ length: 26 }, (_, i) => 100 + i)]
                  : [10_000];
              for (const range of [fullRange(idx), fullRange(byId)])
                for (const order of ["asc", "desc"] as const)
                  for (const limit of limits)
                    assert.deepEqual(
                      textOf(await snap.scanText(range, order, limit)),
                      rowsOf(await snap.scan(range, order, limit)),
                    );
            }
          });
        },
      ),
      { numRuns: 25 },
    );
  });
}

const toJSON = (v: Value) => convexToJson(v) as DocumentJSON[string];
