/**
 * Text and vector search through the official clients, on a fixture app the official CLI pushes:
 * relevance order on a fixed corpus, prefix matching of the last term only, filter fields,
 * limits, pagination, a live subscription that follows inserts, patches and deletes, a search
 * index added by a later push (backfilled), and vector search equal to a brute-force cosine
 * ranking, with and without a filter.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { WebSocket } from "ws";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { copyFixture, pushOnce, tempDir } from "../server/fixture.js";

const api = anyApi;

const CORPUS = [
  { body: "the quick brown fox", category: "animals" },
  { body: "fox fox fox den", category: "animals" },
  { body: "a lazy dog sleeps", category: "pets" },
  { body: "brown bear and brown fox in the brown forest", category: "nature" },
  { body: "Quickly, QUICKSILVER moves!", category: "nature" },
];

// A small seeded generator, so a failure can be reproduced.
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

// With function threads (each keeps its own text indexes) and inline (the engine's copy).
for (const workers of [2, 0]) {
  describe(`${workers} function threads`, () => {
    let backend: Backend;
    let app: string;
    let http: ConvexHttpClient;
    let live: ConvexClient;
    let dataDir: string;
    const deployment = () => ({ url: backend.url, adminKey: backend.adminKey });

    before(async () => {
      dataDir = await tempDir("search-data");
      backend = await startBackend({
        dataDir,
        port: 0,
        sitePort: 0,
        logger: silentLogger,
        workers,
      });
      app = await copyFixture("search");
      await pushOnce(app, deployment());
      http = new ConvexHttpClient(backend.url, {
        skipConvexDeploymentUrlCheck: true,
        logger: false,
      });
      live = new ConvexClient(backend.url, {
        skipConvexDeploymentUrlCheck: true,
        webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
        logger: false,
      });
      await http.mutation(api.articles!.addMany!, { docs: CORPUS });
    });

    after(async () => {
      await live?.close();
      await backend?.close();
    });

    const search = (q: string, extra: { category?: string; take?: number } = {}) =>
      http.query(api.articles!.search!, { q, ...extra }) as Promise<string[]>;

    test("results come in BM25 relevance order: term frequency and document length count", async () => {
      assert.deepEqual(await search("fox"), [
        "fox fox fox den",
        "the quick brown fox",
        "brown bear and brown fox in the brown forest",
      ]);
      assert.deepEqual(await search("brown"), ["brown bear and brown fox in the brown forest", "the quick brown fox"]);
      // Any term matches; a document with both terms ranks first.
      assert.deepEqual((await search("lazy fox"))[0], "a lazy dog sleeps");
      assert.deepEqual(await search("nothing matches this"), []);
    });

    test("tokens are case-insensitive runs of letters and digits; only the last term is a prefix", async () => {
      // A trailing separator ends the last word: no prefix expansion.
      assert.deepEqual(await search("QUICK "), ["the quick brown fox"]);
      assert.deepEqual((await search("qui")).sort(), ["Quickly, QUICKSILVER moves!", "the quick brown fox"]);
      assert.deepEqual(await search("quicksil"), ["Quickly, QUICKSILVER moves!"]);
      // `sle` is not the last term, so it is not expanded to `sleeps`.
      assert.deepEqual(await search("sle den"), ["fox fox fox den"]);
      assert.deepEqual(await search("sle "), []);
      assert.deepEqual(await search("lazy, DOG!"), ["a lazy dog sleeps"]);
    });

    test("filter fields narrow the results; take() limits them", async () => {
      assert.deepEqual(await search("fox", { category: "animals" }), ["fox fox fox den", "the quick brown fox"]);
      assert.deepEqual(await search("fox", { category: "nature" }), ["brown bear and brown fox in the brown forest"]);
      assert.deepEqual(await search("fox", { category: "none" }), []);
      assert.deepEqual(await search("fox", { take: 1 }), ["fox fox fox den"]);
    });

    test("paginate() walks the relevance order page by page", async () => {
      const first = (await http.query(api.articles!.searchPage!, {
        q: "fox",
        paginationOpts: { numItems: 2, cursor: null },
      })) as {
        page: string[];
        isDone: boolean;
        continueCursor: string;
      };
      assert.deepEqual(first.page, ["fox fox fox den", "the quick brown fox"]);
      assert.equal(first.isDone, false);
      const second = (await http.query(api.articles!.searchPage!, {
        q: "fox",
        paginationOpts: { numItems: 2, cursor: first.continueCursor },
      })) as {
        page: string[];
        isDone: boolean;
      };
      assert.deepEqual(second.page, ["brown bear and brown fox in the brown forest"]);
      assert.equal(second.isDone, true);
    });

    test("search inside a mutation reads the same index", async () => {
      assert.equal(await http.mutation(api.articles!.countMatches!, { q: "brown" }), 2);
    });

    test("a search on a field that is not the index's search field is refused clearly", async () => {
      await assert.rejects(
        http.query(api.articles!.searchWrongField!, {}),
        /not the search field of index articles\.search_body/,
      );
    });

    test("a search subscription follows inserts, patches and deletes", async () => {
      const updates: string[][] = [];
      let wake: () => void = () => {};
      const unsubscribe = live.onUpdate(api.articles!.search!, { q: "zebra" }, (v: string[]) => {
        updates.push(v);
        wake();
      });
      const next = async (want: string[]) => {
        while (JSON.stringify(updates.at(-1)) !== JSON.stringify(want)) await new Promise<void>((r) => (wake = r));
      };
      try {
        await next([]);
        const id = (await http.mutation(api.articles!.add!, {
          body: "a zebra crossing",
          category: "roads",
        })) as string;
        await next(["a zebra crossing"]);
        const id2 = (await http.mutation(api.articles!.add!, {
          body: "zebra zebra zebra",
          category: "animals",
        })) as string;
        await next(["zebra zebra zebra", "a zebra crossing"]);
        await http.mutation(api.articles!.setBody!, {
          id,
          body: "a pedestrian crossing",
        });
        await next(["zebra zebra zebra"]);
        await http.mutation(api.articles!.remove!, { id: id2 });
        await next([]);
        await http.mutation(api.articles!.add!, {
          body: "zebra zebra zebra",
          category: "animals",
        });
        await next(["zebra zebra zebra"]);
      } finally {
        unsubscribe();
      }
    });

    test("a search index added by a later push is backfilled from the documents already stored", async () => {
      await assert.rejects(http.query(api.articles!.searchCategory!, { q: "animals" }), /search_category not found/);
      const schemaPath = join(app, "convex", "schema.ts");
      const schema = await readFile(schemaPath, "utf8");
      await writeFile(
        schemaPath,
        schema.replace(
          `filterFields: ["category"],\n  }),`,
          `filterFields: ["category"],\n  }).searchIndex("search_category", { searchField: "category" }),`,
        ),
      );
      const r = await pushOnce(app, deployment());
      assert.match(r.output, /articles\.search_category/);
      assert.deepEqual(await http.query(api.articles!.searchCategory!, { q: "animals" }), [
        "fox fox fox den",
        "the quick brown fox",
        "zebra zebra zebra",
      ]);
    });
    test("vector search top-k equals a brute-force cosine ranking, with and without a filter", async () => {
      const random = rng(42);
      const vec = () => Array.from({ length: 8 }, () => random() * 2 - 1);
      const items = Array.from({ length: 300 }, (_, n) => ({
        embedding: vec(),
        group: ["a", "b", "c"][n % 3]!,
        n,
      }));
      for (let i = 0; i < items.length; i += 100)
        await http.mutation(api.items!.addMany!, {
          items: items.slice(i, i + 100),
        });
      const cosine = (x: number[], y: number[]) => {
        let dot = 0;
        let nx = 0;
        let ny = 0;
        for (let i = 0; i < x.length; i++) {
          dot += x[i]! * y[i]!;
          nx += x[i]! * x[i]!;
          ny += y[i]! * y[i]!;
        }
        return dot / Math.sqrt(nx * ny);
      };
      for (const groups of [undefined, ["b"], ["a", "c"]]) {
        const q = vec();
        const expected = items
          .filter((it) => groups === undefined || groups.includes(it.group))
          .map((it) => ({ n: it.n, score: cosine(q, it.embedding) }))
          .sort((a, b) => b.score - a.score)
          .slice(0, 17);
        const got = (await http.action(api.items!.similar!, {
          vector: q,
          limit: 17,
          ...(groups ? { groups } : {}),
        })) as { n: number; score: number }[];
        assert.deepEqual(
          got.map((g) => g.n),
          expected.map((e) => e.n),
          `groups ${JSON.stringify(groups)}`,
        );
        for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i]!.score - expected[i]!.score) < 1e-9);
      }
      // A deleted document leaves the results.
      const q = vec();
      const before = (await http.action(api.items!.similar!, { vector: q, limit: 3 })) as { n: number }[];
      await http.mutation(api.items!.removeByN!, { n: before[0]!.n });
      const after = (await http.action(api.items!.similar!, { vector: q, limit: 2 })) as { n: number }[];
      assert.deepEqual(
        after.map((x) => x.n),
        before.slice(1).map((x) => x.n),
      );
      // The default limit is 10; the dimension must match the index.
      assert.equal(
        (
          (await http.action(api.items!.similar!, {
            vector: vec(),
          })) as unknown[]
        ).length,
        10,
      );
      await assert.rejects(http.action(api.items!.similar!, { vector: [1, 2, 3] }), /expects 8/);
    });

    test("a search in a mutation sees that mutation's own inserts and patches", async () => {
      assert.deepEqual(
        await http.mutation(api.articles!.insertThenSearch!, { body: "xylophone xylophone quartet", q: "xylophone" }),
        ["xylophone xylophone quartet"],
      );
      const fox = (await http.mutation(api.articles!.insertThenSearch!, {
        body: "fox fox fox fox",
        q: "fox",
      })) as string[];
      assert.deepEqual(fox.slice(0, 2), ["fox fox fox fox", "fox fox fox den"]);
      assert.deepEqual(
        await http.mutation(api.articles!.patchThenSearch!, {
          from: "a lazy dog sleeps",
          to: "a lazy cat",
          q: "lazy dog",
        }),
        ["a lazy cat"],
      );
      assert.deepEqual(await search("lazy"), ["a lazy cat"], "and the commit reached the index");
    });

    test("after a restart the indexes are rebuilt from the store", async () => {
      await live.close();
      await backend.close();
      backend = await startBackend({ dataDir, port: 0, sitePort: 0, logger: silentLogger, workers });
      http = new ConvexHttpClient(backend.url, { skipConvexDeploymentUrlCheck: true, logger: false });
      live = new ConvexClient(backend.url, {
        skipConvexDeploymentUrlCheck: true,
        webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
        logger: false,
      });
      assert.deepEqual((await search("fox")).slice(0, 2), ["fox fox fox fox", "fox fox fox den"]);
      assert.equal(
        ((await http.action(api.items!.similar!, { vector: [1, 0, 0, 0, 0, 0, 0, 0], limit: 5 })) as unknown[]).length,
        5,
      );
    });
  });
}
