/**
 * The in-memory text index against a from-scratch BM25 over the same live documents, after a
 * random mix of inserts, replacements and deletes (slots and postings are reused and compacted).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { DocumentJSON } from "@tandem/storage";
import { TextIndex } from "../../src/search/text-index.js";
import { parseTextQuery, tokenize } from "../../src/search/tokenize.js";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** BM25 as documented in src/search/README.md, computed directly. */
function naive(docs: Map<string, DocumentJSON>, text: string, category: string | null, limit: number): string[] {
  const q = parseTextQuery(text);
  const live = [...docs.values()].filter((d) => typeof d.body === "string");
  const toks = new Map(live.map((d) => [d._id, tokenize(d.body as string)]));
  const n = live.length;
  const avg = [...toks.values()].reduce((a, t) => a + t.length, 0) / n;
  const df = (term: string) => live.filter((d) => toks.get(d._id)!.includes(term)).length;
  const termScore = (d: DocumentJSON, term: string) => {
    const t = toks.get(d._id)!;
    const tf = t.filter((x) => x === term).length;
    if (tf === 0) return 0;
    const f = df(term);
    const idf = Math.log(1 + (n - f + 0.5) / (f + 0.5));
    return (idf * tf * 2.2) / (tf + 1.2 * (1 - 0.75 + (0.75 * t.length) / avg));
  };
  const scored = live
    .filter((d) => category === null || d.category === category)
    .map((d) => {
      let s = 0;
      for (const term of q.terms) if (term !== q.prefix) s += termScore(d, term);
      if (q.prefix !== null) {
        const completions = new Set(toks.get(d._id)!.filter((t) => t.startsWith(q.prefix!)));
        s += Math.max(0, ...[...completions].map((t) => termScore(d, t)));
      }
      return { id: d._id, s, ct: d._creationTime };
    })
    .filter((x) => x.s > 0);
  scored.sort((a, b) => b.s - a.s || b.ct - a.ct);
  return scored.slice(0, limit).map((x) => x.id);
}

test("search equals a from-scratch BM25 after random inserts, replacements and deletes", () => {
  const random = rng(3);
  const words = ["alpha", "alps", "beta", "bet", "gamma", "gam", "delta", "epsilon", "zeta", "eta"];
  const sentence = () =>
    Array.from({ length: 1 + Math.floor(random() * 8) }, () => words[Math.floor(random() * words.length)]).join(" ");
  const index = new TextIndex({ searchField: "body", filterFields: ["category"] });
  const docs = new Map<string, DocumentJSON>();
  for (let step = 0; step < 3000; step++) {
    const id = `d${Math.floor(random() * 300)}`;
    const r = random();
    const doc: DocumentJSON | null =
      r < 0.15
        ? null
        : { _id: id, _creationTime: step, body: r < 0.2 ? 42 : sentence(), category: random() < 0.5 ? "x" : "y" };
    index.put(id, doc);
    if (doc) docs.set(id, doc);
    else docs.delete(id);
    if (step % 150 === 0) {
      for (const [text, category] of [
        ["alpha", null],
        ["bet gam", null],
        ["al", "x"],
        ["zeta eta ", "y"],
        ["delta e", null],
      ] as const) {
        const got = index
          .search(parseTextQuery(text), category === null ? [] : [["category", `v"${category}"`]], 20)
          .map((h) => h.id);
        assert.deepEqual(got, naive(docs, text, category, 20), `step ${step}, ${JSON.stringify(text)} ${category}`);
      }
    }
  }
  assert.equal(index.size, [...docs.values()].filter((d) => typeof d.body === "string").length);
});
