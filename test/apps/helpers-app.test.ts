/**
 * An app built on `convex-helpers` (test/fixtures/helpers-app, written as the helpers' README
 * documents them): custom functions with triggers and row-level security, relationship helpers,
 * manual pagination and query streams over multi-field index ranges, Zod arguments, validator
 * utilities, the migrations component; and the core `paginate` options `usePaginatedQuery`
 * relies on. Pushed by the official CLI, driven with ConvexHttpClient and ConvexClient.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { ConvexError } from "convex/values";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "@tandem/backend";
import { copyApp, pushApp, type AppCopy } from "../support/app.js";
import { until } from "../support/app-clients.js";

const api = anyApi as any;
let backend: Backend;
let app: AppCopy;
let http: ConvexHttpClient;
let client: ConvexClient;

type Page<T> = {
  page: T[];
  isDone: boolean;
  continueCursor: string;
  splitCursor?: string | null;
  pageStatus?: string | null;
};

before(async () => {
  backend = await startBackend({
    dataDir: await mkdtemp(join(tmpdir(), "tandem-helpers-app-")),
    port: 0,
    sitePort: 0,
    logger: silentLogger,
  });
  app = await copyApp("helpers-app", ["convex-helpers", "zod", "@convex-dev/migrations"]);
  await pushApp(app.dir, { url: backend.url, adminKey: backend.adminKey });
  http = new ConvexHttpClient(backend.url);
  client = new ConvexClient(backend.url);
});

after(async () => {
  await client?.close();
  await backend?.close();
  await app?.remove();
});

const rejects = async (p: Promise<unknown>, re: RegExp) => {
  await assert.rejects(p, (e: Error) => (assert.match(e.message, re), true));
};

test("triggers: computed field, denormalized count, abort, cascading delete", async () => {
  const before = (await http.query(api.users.count, {})) as number;
  const ada = await http.mutation(api.users.create, { firstName: "Ada", lastName: "Lovelace", age: 36 });
  const user = await http.query(api.users.get, { id: ada });
  assert.equal(user.fullName, "Ada Lovelace");
  assert.equal(await http.query(api.users.count, {}), before + 1);
  await rejects(
    http.mutation(api.users.create, { firstName: "The", lastName: "Balrog", age: 1000 }),
    /you shall not pass/,
  );
  assert.equal(await http.query(api.users.count, {}), before + 1);
  assert.equal(await http.query(api.users.byLastName, { lastName: "Balrog" }), null);

  const post = await http.mutation(api.posts.create, {
    authorId: ada,
    title: "notes",
    score: 1,
    published: true,
    tags: ["math"],
  });
  await http.mutation(api.posts.comment, { postId: post, body: "first" });
  await http.mutation(api.users.remove, { id: ada });
  assert.equal(await http.query(api.users.count, {}), before);
  assert.equal(await http.query(api.posts.byAuthor, { lastName: "Lovelace" }), null);
  assert.deepEqual(await http.query(api.posts.postsWithTag, { tag: "math" }), []);
});

test("row-level security and custom function arguments", async () => {
  const grace = await http.mutation(api.users.create, {
    firstName: "Grace",
    lastName: "Hopper",
    age: 45,
    tokenIdentifier: "t-grace",
  });
  await http.mutation(api.users.create, { firstName: "Kid", lastName: "Young", age: 12 });
  const visible = (await http.query(api.users.visible, {})) as string[];
  assert.ok(visible.includes("Grace"));
  assert.ok(!visible.includes("Kid"));
  await rejects(
    http.mutation(api.users.rename, { id: grace, firstName: "G" }),
    /Must be authenticated to modify a user/,
  );
  assert.deepEqual(await http.query(api.users.whoAmI, { as: "Hopper", greeting: "hi" }), {
    greeting: "hi",
    keys: ["greeting"],
    name: "Grace",
  });
  await rejects(http.query(api.users.adminOnly, { as: "Young" }), /You are not an admin/);
  assert.equal(await http.query(api.users.adminOnly, { as: "Hopper" }), "Grace");
});

test("relationship helpers: getOneFrom, getManyFrom, getManyVia (also to _storage), getAll", async () => {
  const alan = await http.mutation(api.users.create, { firstName: "Alan", lastName: "Turing", age: 41 });
  const p1 = await http.mutation(api.posts.create, {
    authorId: alan,
    title: "machines",
    score: 10,
    published: true,
    tags: ["cs", "logic"],
  });
  const p2 = await http.mutation(api.posts.create, {
    authorId: alan,
    title: "morphogenesis",
    score: 11,
    published: false,
    tags: ["bio", "logic"],
  });
  await http.mutation(api.posts.comment, { postId: p1, body: "can they think?" });
  await http.mutation(api.posts.comment, { postId: p1, body: "yes" });
  assert.deepEqual(await http.query(api.posts.byAuthor, { lastName: "Turing" }), {
    author: "Alan Turing",
    posts: [
      { title: "machines", comments: ["can they think?", "yes"], tags: ["cs", "logic"] },
      { title: "morphogenesis", comments: [], tags: ["bio", "logic"] },
    ],
  });
  assert.deepEqual(await http.query(api.posts.postsWithTag, { tag: "logic" }), ["machines", "morphogenesis"]);

  const gone = await http.mutation(api.users.create, { firstName: "Gone", lastName: "Soon", age: 30 });
  await http.mutation(api.users.remove, { id: gone });
  const all = (await http.query(api.users.many, { ids: [alan, gone] })) as Array<{ firstName: string } | null>;
  assert.equal(all[0]!.firstName, "Alan");
  assert.equal(all[1], null);

  const bytes = new Uint8Array([1, 2, 3, 4, 5]);
  const url = (await http.mutation(api.posts.generateUploadUrl, {})) as string;
  const up = await fetch(url, { method: "POST", headers: { "Content-Type": "text/plain" }, body: bytes });
  const { storageId } = (await up.json()) as { storageId: string };
  await http.mutation(api.posts.attach, { postId: p2, fileId: storageId });
  assert.deepEqual(await http.query(api.posts.files, { postId: p2 }), [{ size: 5, contentType: "text/plain" }]);
});

/** Posts by a fresh author with the given scores, titled `s<score>`. */
async function postsBy(lastName: string, scores: number[], published = true): Promise<string> {
  const authorId = await http.mutation(api.users.create, { firstName: "P", lastName, age: 50 });
  for (const score of scores) {
    await http.mutation(api.posts.create, { authorId, title: `s${score}`, score, published, tags: [] });
  }
  return authorId;
}

test("getPage: two-field index keys, both orders, inclusive and exclusive bounds", async () => {
  await postsBy("Pager", [101, 102, 103, 104, 105, 106]);
  const page = (args: object) =>
    http.query(api.posts.pageByScore, { published: true, ...args }) as Promise<{
      titles: string[];
      hasMore: boolean;
      indexKeys: unknown[][];
    }>;
  const all = await page({ startIndexKey: [true, 100], endIndexKey: [true, 200] });
  assert.deepEqual(all.titles, ["s101", "s102", "s103", "s104", "s105", "s106"]);
  assert.equal(all.hasMore, false);
  const two = await page({ startIndexKey: [true, 103], targetMaxRows: 2 });
  assert.deepEqual(two.titles, ["s104", "s105"]);
  assert.equal(two.hasMore, true);
  assert.equal(two.indexKeys[1]!.length, 4);
  assert.deepEqual(two.indexKeys[1]!.slice(0, 2), [true, 105]);
  const next = await page({ startIndexKey: two.indexKeys[1], targetMaxRows: 2, endIndexKey: [true, 200] });
  assert.deepEqual(next.titles, ["s106"]);
  const desc = await page({
    startIndexKey: [true, 105],
    endIndexKey: [true, 101],
    endInclusive: false,
    order: "desc",
  });
  assert.deepEqual(desc.titles, ["s104", "s103", "s102"]);
  const inclusive = await page({ startIndexKey: [true, 103], startInclusive: true, order: "desc", targetMaxRows: 2 });
  assert.deepEqual(inclusive.titles, ["s103", "s102"]);
  assert.equal(inclusive.hasMore, true);
  const upTo = await page({
    startIndexKey: [true, 100],
    endIndexKey: [true, 102],
    endInclusive: true,
  });
  assert.deepEqual(upTo.titles, ["s101", "s102"]);
});

test("paginator and streams: desc pages over a multi-field range, endCursor, mergedStream, filterWith", async () => {
  const x = await postsBy("StreamX", [201, 202, 203, 204, 205, 206]);
  const walk = async (fn: unknown, args: object, numItems: number) => {
    const pages: string[][] = [];
    let cursor: string | null = null;
    for (;;) {
      const r = (await http.query(
        fn as never,
        { ...args, paginationOpts: { numItems, cursor } } as never,
      )) as Page<string>;
      pages.push(r.page);
      if (r.isDone) return pages;
      cursor = r.continueCursor;
    }
  };
  const paged = async (args: object, numItems: number) => {
    const pages: string[][] = [];
    let cursor: string | null = null;
    for (;;) {
      const r = (await http.query(api.posts.paginated, { ...args, opts: { numItems, cursor } })) as Page<string>;
      pages.push(r.page);
      if (r.isDone) return pages;
      cursor = r.continueCursor;
    }
  };
  assert.deepEqual((await paged({ authorId: x }, 2)).flat(), [
    "s206:206",
    "s205:205",
    "s204:204",
    "s203:203",
    "s202:202",
    "s201:201",
  ]);
  assert.deepEqual((await paged({ authorId: x, minScore: 204 }, 2)).flat(), ["s206:206", "s205:205", "s204:204"]);
  const first = (await http.query(api.posts.paginated, {
    authorId: x,
    opts: { numItems: 2, cursor: null },
  })) as Page<string>;
  assert.deepEqual(first.page, ["s206:206", "s205:205"]);
  await http.mutation(api.posts.create, { authorId: x, title: "s205.5", score: 205.5, published: true, tags: [] });
  const pinned = (await http.query(api.posts.paginated, {
    authorId: x,
    opts: { numItems: 2, cursor: null, endCursor: first.continueCursor },
  })) as Page<string>;
  assert.deepEqual(pinned.page, ["s206:206", "s205.5:205.5", "s205:205"]);

  const y = await postsBy("StreamY", [201.5, 203.5]);
  const merged = (await walk(api.posts.forAuthors, { authors: [x, y] }, 3)).flat();
  const byX = ["s201", "s202", "s203", "s204", "s205", "s205.5", "s206"];
  const byY = ["s201.5", "s203.5"];
  assert.deepEqual(merged, x < y ? [...byX, ...byY] : [...byY, ...byX]);

  await postsBy("Top1", [1001, 1003]);
  await postsBy("Top2", [1002], false);
  assert.deepEqual(await http.query(api.posts.topScores, { n: 3 }), ["s1003:1003", "s1002:1002", "s1001:1001"]);

  const kid = await http.mutation(api.users.create, { firstName: "Kid", lastName: "Poster", age: 10 });
  await http.mutation(api.posts.create, { authorId: kid, title: "kid post", score: 0, published: true, tags: [] });
  const adultPages = await walk(api.posts.byAdults, {}, 4);
  assert.ok(!adultPages.flat().includes("kid post"));
  assert.equal(adultPages[0]![0], "s1002");
  const limited = (await http.query(api.posts.byAdults, {
    paginationOpts: { numItems: 4, cursor: null },
    maximumRowsRead: 2,
  })) as Page<string>;
  assert.equal(limited.pageStatus, "SplitRequired");
  assert.equal(limited.isDone, false);
  assert.equal(typeof limited.splitCursor, "string");
});

test("zod arguments: zCustomQuery with zid, defaults, refinements, discriminated unions", async () => {
  const id = await http.mutation(api.users.create, { firstName: "Zed", lastName: "Zod", age: 20 });
  const r = await http.query(api.zodFns.describe, {
    userId: id,
    email: "zed@example.com",
    num: 3,
    tags: ["a"],
    kind: { kind: "b", b: 2 },
    pipeline: 42,
  });
  assert.deepEqual(r, {
    name: "Zed",
    userId: id,
    email: "zed@example.com",
    num: 3,
    boolWithDefault: true,
    tags: ["a"],
    kind: { kind: "b", b: 2 },
    pipeline: "42",
  });
  await rejects(
    http.query(api.zodFns.describe, {
      userId: id,
      email: "nope",
      num: 3,
      tags: [],
      kind: { kind: "a", a: "x" },
      pipeline: 1,
    }),
    /email/i,
  );
  await http.mutation(api.zodFns.setAge, { userId: id, age: 21 });
  assert.equal(((await http.query(api.users.get, { id })) as { age: number }).age, 21);
  await rejects(http.mutation(api.zodFns.setAge, { userId: id, age: 1.5 }), /int/i);
});

test("documents: patch with undefined removes a field, replace, normalizeId, unique() with two matches", async () => {
  const id = (await http.mutation(api.users.create, { firstName: "Nick", lastName: "Named", age: 30 })) as string;
  await http.mutation(api.users.update, { id, patch: { nickname: "nicky", age: 31 } });
  let doc = (await http.query(api.users.get, { id })) as Record<string, unknown>;
  assert.equal(doc.nickname, "nicky");
  assert.equal(doc.age, 31);
  await http.mutation(api.users.clearNickname, { id });
  doc = (await http.query(api.users.get, { id })) as Record<string, unknown>;
  assert.ok(!("nickname" in doc));
  assert.equal(doc.fullName, "Nick Named");

  // replace drops every field not given (the trigger then recomputes fullName)
  const replaced = (await http.mutation(api.users.replace, {
    id,
    firstName: "New",
    lastName: "Name",
    age: 5,
  })) as Record<string, unknown>;
  assert.equal(replaced._id, id);
  assert.equal(replaced._creationTime, doc._creationTime);
  assert.equal(replaced.firstName, "New");
  assert.ok(!("tokenIdentifier" in replaced));

  assert.equal(await http.query(api.users.normalize, { table: "users", id }), id);
  assert.equal(await http.query(api.users.normalize, { table: "posts", id }), null);
  assert.equal(await http.query(api.users.normalize, { table: "users", id: "not-an-id" }), null);

  await http.mutation(api.users.create, { firstName: "One", lastName: "Twin", age: 30 });
  assert.equal(await http.query(api.users.uniqueByLastName, { lastName: "Twin" }), "One");
  await http.mutation(api.users.create, { firstName: "Two", lastName: "Twin", age: 30 });
  await rejects(
    http.query(api.users.uniqueByLastName, { lastName: "Twin" }),
    /unique\(\) query returned more than one result/,
  );
});

test("ConvexError data reaches both clients", async () => {
  const kid = await http.mutation(api.users.create, { firstName: "Small", lastName: "Kid", age: 9 });
  for (const call of [
    () => http.mutation(api.users.mustBeAdult, { id: kid }),
    () => client.mutation(api.users.mustBeAdult, { id: kid }),
  ]) {
    await assert.rejects(call(), (e: unknown) => {
      assert.ok(e instanceof ConvexError);
      assert.deepEqual((e as ConvexError<any>).data, { code: "MINOR", age: 9, nested: [1, { a: 2n }] });
      return true;
    });
  }
  // A subscription's error carries the data too.
  const live = await new Promise<unknown>((resolve) => {
    const stop: () => void = client.onUpdate(
      api.users.normalize,
      { table: "x", id: "y" },
      () => {},
      (e) => (stop(), resolve(e)),
    );
  });
  assert.ok(live instanceof ConvexError);
  assert.deepEqual((live as ConvexError<any>).data, { code: "BAD_TABLE", table: "x" });
  await assert.rejects(http.query(api.users.normalize, { table: "x", id: "y" }), (e: unknown) => {
    assert.deepEqual((e as ConvexError<any>).data, { code: "BAD_TABLE", table: "x" });
    return true;
  });
});

test("core paginate: numItems, cursor, endCursor, ranges in both orders, maximumRowsRead and maximumBytesRead", async () => {
  await http.mutation(api.items.seed, { group: "g", from: 0, to: 10 });
  const list = (args: object) => http.query(api.items.list, { group: "g", ...args }) as Promise<Page<number>>;
  const pages: number[][] = [];
  let cursor: string | null = null;
  for (;;) {
    const r: Page<number> = await list({ paginationOpts: { numItems: 3, cursor } });
    pages.push(r.page);
    if (r.isDone) break;
    cursor = r.continueCursor;
  }
  assert.deepEqual(pages, [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
  const d1 = await list({ paginationOpts: { numItems: 3, cursor: null }, order: "desc", min: 2, max: 7 });
  assert.deepEqual(d1.page, [7, 6, 5]);
  const d2 = await list({ paginationOpts: { numItems: 3, cursor: d1.continueCursor }, order: "desc", min: 2, max: 7 });
  assert.deepEqual(d2.page, [4, 3]);
  assert.equal(d2.isDone, true);

  const p1 = await list({ paginationOpts: { numItems: 3, cursor: null } });
  await http.mutation(api.items.add, { group: "g", n: 1.5 });
  const pinned = await list({ paginationOpts: { numItems: 3, cursor: null, endCursor: p1.continueCursor } });
  assert.deepEqual(pinned.page, [0, 1, 1.5, 2]);
  assert.equal(pinned.continueCursor, p1.continueCursor);

  // A filter for rare rows bounded by maximumRowsRead: the page is cut, and must be split.
  const cut = (await http.query(api.items.filtered, {
    group: "g",
    paginationOpts: { numItems: 5, cursor: null, maximumRowsRead: 4 },
  })) as Page<number>;
  assert.equal(cut.pageStatus, "SplitRequired");
  assert.equal(cut.isDone, false);
  assert.equal(typeof cut.splitCursor, "string");
  const halves = async (c: Page<number>, query: unknown, args: object) => {
    const a = (await http.query(
      query as never,
      {
        ...args,
        paginationOpts: { numItems: 5, cursor: null, endCursor: c.splitCursor },
      } as never,
    )) as Page<number>;
    const b = (await http.query(
      query as never,
      {
        ...args,
        paginationOpts: { numItems: 5, cursor: c.splitCursor, endCursor: c.continueCursor },
      } as never,
    )) as Page<number>;
    return [a.page, b.page];
  };
  const [h1, h2] = await halves(cut, api.items.filtered, { group: "g" });
  assert.deepEqual([...h1!, ...h2!], cut.page);

  // A cut page with no document yet still offers a split (at a row it read) and moves on.
  const filtered = (opts: object) =>
    http.query(api.items.filtered, { group: "g", paginationOpts: { numItems: 1, ...opts } }) as Promise<Page<number>>;
  const zero = await filtered({ cursor: null });
  assert.deepEqual(zero.page, [0]);
  const empty = await filtered({ cursor: zero.continueCursor, maximumRowsRead: 1 });
  assert.deepEqual(empty.page, []);
  assert.equal(empty.pageStatus, "SplitRequired");
  assert.equal(typeof empty.splitCursor, "string");
  assert.notEqual(empty.continueCursor, zero.continueCursor);
  assert.deepEqual((await filtered({ cursor: empty.continueCursor, maximumRowsRead: 2 })).page, [2]);

  // A range that fits the budget exactly is complete.
  const fits = await list({ paginationOpts: { numItems: 5, cursor: null, maximumRowsRead: 2 }, min: 7 });
  assert.deepEqual(fits.page, [8, 9]);
  assert.equal(fits.isDone, true);
  assert.equal(fits.pageStatus ?? null, null);
  // A page pinned by its end cursor and cut by the budget still answers up to that cursor: the
  // client's two split pages cover it without a gap.
  const pinnedCut = await list({
    paginationOpts: { numItems: 3, cursor: null, endCursor: p1.continueCursor, maximumRowsRead: 2 },
  });
  assert.deepEqual(pinnedCut.page, [0, 1]);
  assert.equal(pinnedCut.pageStatus, "SplitRequired");
  assert.equal(pinnedCut.continueCursor, p1.continueCursor);
  const [c1, c2] = await halves(pinnedCut, api.items.list, { group: "g" });
  assert.deepEqual([...c1!, ...c2!], [0, 1, 1.5, 2]);

  await http.mutation(api.items.seed, { group: "big", from: 0, to: 10, blobSize: 1000 });
  const bytes = (await http.query(api.items.list, {
    group: "big",
    paginationOpts: { numItems: 10, cursor: null, maximumBytesRead: 3500 },
  })) as Page<number>;
  assert.ok(bytes.page.length >= 1 && bytes.page.length < 10, `page of ${bytes.page.length}`);
  assert.equal(bytes.pageStatus, "SplitRequired");
  assert.equal(typeof bytes.splitCursor, "string");
  const rest = (await http.query(api.items.list, {
    group: "big",
    paginationOpts: { numItems: 10, cursor: bytes.continueCursor },
  })) as Page<number>;
  assert.deepEqual([...bytes.page, ...rest.page], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

  await rejects(http.query(api.items.twoPaginates, {}), /single paginated query/);
});

test("a paginated query stays live through inserts and deletes in its page (ConvexClient)", async () => {
  await http.mutation(api.items.seed, { group: "live", from: 0, to: 6 });
  const first = (await http.query(api.items.list, {
    group: "live",
    paginationOpts: { numItems: 3, cursor: null },
  })) as Page<number>;
  const args = { group: "live", paginationOpts: { numItems: 3, cursor: null, endCursor: first.continueCursor } };
  const seen = until<Page<number>>(client, api.items.list, args, (r) => r.page.join() === "0,0.5,1,2", "the insert");
  await http.mutation(api.items.add, { group: "live", n: 0.5 });
  await seen;
  const gone = until<Page<number>>(client, api.items.list, args, (r) => r.page.join() === "0,0.5,2", "the delete");
  await http.mutation(api.items.removeN, { group: "live", n: 1 });
  await gone;
  // A page pinned by its end cursor that grows past twice its size offers a split.
  for (const n of [0.1, 0.2, 0.3, 0.4]) await http.mutation(api.items.add, { group: "live", n });
  const grown = await until<Page<number>>(client, api.items.list, args, (r) => r.page.length === 7, "the grown page");
  assert.equal(typeof grown.splitCursor, "string");
  const [a, b] = await Promise.all([
    http.query(api.items.list, {
      group: "live",
      paginationOpts: { numItems: 3, cursor: null, endCursor: grown.splitCursor },
    }),
    http.query(api.items.list, {
      group: "live",
      paginationOpts: { numItems: 3, cursor: grown.splitCursor, endCursor: grown.continueCursor },
    }),
  ]);
  assert.deepEqual([...(a as Page<number>).page, ...(b as Page<number>).page], grown.page);
});

test("migrations component: batches over a table and over a custom index range", async () => {
  await http.mutation(api.items.seed, { group: "m", from: 0, to: 8 });
  const admin = new ConvexHttpClient(backend.url);
  (admin as unknown as { setAdminAuth(key: string): void }).setAdminAuth(backend.adminKey);
  await admin.mutation("migrations:runAll" as never, {} as never);
  type Status = { name: string; isDone: boolean; processed: number; state: string };
  const done = await until<Status[]>(
    client,
    api.migrations.status,
    {},
    (s) => s.length === 2 && s.every((m) => m.isDone),
    "both migrations",
  );
  assert.deepEqual(done.map((s) => [s.name, s.state]).sort(), [
    ["migrations:setStatus", "success"],
    ["migrations:tagItems", "success"],
  ]);
  assert.equal(done.find((s) => s.name === "migrations:tagItems")!.processed, 5);
  assert.deepEqual(await http.query(api.migrations.itemBlobs, {}), [null, null, null, ...Array(5).fill("migrated")]);
  assert.ok(((await http.query(api.migrations.userStatuses, {})) as unknown[]).every((s) => s === "active"));
});

test("the official client's paginated query: pages load more, stay live and contiguous through inserts, deletes and splits", async () => {
  await http.mutation(api.items.seed, { group: "pq", from: 0, to: 8 });
  type Result = { results: number[]; status: string; loadMore: (n: number) => boolean };
  let latest: Result | undefined;
  const waiters: Array<() => void> = [];
  const sub = client.onPaginatedUpdate_experimental(
    api.items.list,
    { group: "pq" },
    { initialNumItems: 2 },
    (r: unknown) => {
      latest = r as Result;
      for (const w of waiters.splice(0)) w();
    },
  );
  const when = async (pred: (r: Result) => boolean, what: string) => {
    const deadline = Date.now() + 20_000;
    while (!(latest && pred(latest))) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(latest)}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
    return latest;
  };
  const items = (r: Result) => r.results;
  await when((r) => r.status === "CanLoadMore", "the first page");
  assert.deepEqual(items(latest!), [0, 1]);
  latest!.loadMore(3);
  await when((r) => r.results.length === 5, "the second page");
  assert.deepEqual(items(latest!), [0, 1, 2, 3, 4]);
  await http.mutation(api.items.add, { group: "pq", n: 0.5 });
  await when((r) => r.results.length === 6, "the insert");
  assert.deepEqual(items(latest!), [0, 0.5, 1, 2, 3, 4]);
  await http.mutation(api.items.removeN, { group: "pq", n: 3 });
  await when((r) => r.results.length === 5, "the delete");
  assert.deepEqual(items(latest!), [0, 0.5, 1, 2, 4]);
  // The first page grows past twice its size: the client splits it at the offered cursor.
  for (const n of [0.1, 0.2, 0.3, 0.4]) await http.mutation(api.items.add, { group: "pq", n });
  await when((r) => r.results.length === 9, "the grown first page");
  assert.deepEqual(items(latest!), [0, 0.1, 0.2, 0.3, 0.4, 0.5, 1, 2, 4]);
  latest!.loadMore(10);
  await when((r) => r.status === "Exhausted", "the last page");
  assert.deepEqual(items(latest!), [0, 0.1, 0.2, 0.3, 0.4, 0.5, 1, 2, 4, 5, 6, 7]);
  sub.unsubscribe();
});

test("corsRouter: preflight, allowed and refused origins, per-route origins, plain routes", async () => {
  const site = backend.siteUrl;
  const pre = await fetch(`${site}/foo`, {
    method: "OPTIONS",
    headers: {
      // The path's preflight answers with the configuration of its last route (POST's origins).
      Origin: "http://localhost:9090",
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "Content-Type",
    },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get("access-control-allow-origin"), "http://localhost:9090");
  assert.match(pre.headers.get("access-control-allow-methods") ?? "", /GET/);
  assert.match(pre.headers.get("access-control-allow-methods") ?? "", /POST/);
  assert.equal(pre.headers.get("access-control-allow-credentials"), "true");
  assert.equal(pre.headers.get("access-control-max-age"), "60");
  const get = await fetch(`${site}/foo`, { headers: { Origin: "http://localhost:8080" } });
  assert.equal(get.status, 200);
  assert.match(await get.text(), /^users: \d+$/);
  assert.equal(get.headers.get("access-control-allow-origin"), "http://localhost:8080");
  assert.equal(get.headers.get("access-control-expose-headers"), "Custom-Header");
  assert.equal(get.headers.get("custom-header"), "yes");
  const refused = await fetch(`${site}/foo`, { headers: { Origin: "http://evil.example" } });
  assert.equal(refused.status, 403);
  await refused.body?.cancel();
  const post = await fetch(`${site}/foo`, { method: "POST", headers: { Origin: "http://localhost:9090" }, body: "hi" });
  assert.equal(post.status, 200);
  assert.equal(await post.text(), "got hi");
  assert.equal(post.headers.get("access-control-allow-origin"), "http://localhost:9090");
  const plain = await fetch(`${site}/notcors`);
  assert.equal(await plain.text(), "ok");
  assert.equal(plain.headers.get("access-control-allow-origin"), null);
});

test("sessions, CRUD, the filter helper, stream joins and distinct", async () => {
  const sessionId = "3b9ad7a1-58a5-4d5b-9a44-1d3a1f0c5e21";
  assert.deepEqual(await http.query(api.extras.known, { sessionId, echo: 7 }), { known: false, echo: 7, sessionId });
  await http.mutation(api.extras.remember, { sessionId });
  assert.deepEqual(await http.query(api.extras.known, { sessionId, echo: 8 }), { known: true, echo: 8, sessionId });

  const created = (await http.mutation(api.extras.create, { name: "crud-tag" })) as { _id: string; name: string };
  assert.equal(created.name, "crud-tag");
  await http.mutation(api.extras.update, { id: created._id, patch: { name: "crud-tag-2" } });
  assert.equal(((await http.query(api.extras.read, { id: created._id })) as { name: string }).name, "crud-tag-2");
  const firstTags = (await http.query(api.extras.paginate, {
    paginationOpts: { numItems: 2, cursor: null },
  })) as Page<{ name: string }>;
  assert.equal(firstTags.page.length, 2);
  assert.equal(((await http.mutation(api.extras.destroy, { id: created._id })) as { name: string }).name, "crud-tag-2");
  assert.equal(await http.query(api.extras.read, { id: created._id }), null);

  const long = (await http.query(api.extras.longTags, { min: 40 })) as string[];
  assert.deepEqual(long, [`session:${sessionId}`]);
  assert.equal(await http.query(api.extras.lastLongTag, { min: 40 }), `session:${sessionId}`);
  await http.mutation(api.items.seed, { group: "f", from: 0, to: 10 });
  const fp = (await http.query(api.extras.filteredPage, {
    min: 5,
    paginationOpts: { numItems: 4, cursor: null },
  })) as Page<number>;
  // The filter applies after the page's rows are read: a page can come back short.
  assert.deepEqual(fp.page, []);
  assert.equal(fp.isDone, false);
  const fp2 = (await http.query(api.extras.filteredPage, {
    min: 5,
    paginationOpts: { numItems: 4, cursor: fp.continueCursor },
  })) as Page<number>;
  assert.deepEqual(fp2.page, [5, 6, 7]);

  const author = await http.mutation(api.users.create, { firstName: "F", lastName: "Feeder", age: 40 });
  await http.mutation(api.posts.create, {
    authorId: author,
    title: "one",
    score: 1,
    published: true,
    tags: ["feed:a"],
  });
  await http.mutation(api.posts.create, {
    authorId: author,
    title: "two",
    score: 2,
    published: true,
    tags: ["feed:b", "feed:a"],
  });
  const feed: string[] = [];
  let cursor: string | null = null;
  for (;;) {
    const r: Page<string> = await http.query(api.extras.tagFeed, { paginationOpts: { numItems: 2, cursor } });
    feed.push(...r.page);
    if (r.isDone) break;
    cursor = r.continueCursor;
  }
  assert.deepEqual(feed.sort(), ["feed:a/one", "feed:a/two", "feed:b/two"]);
  const groups = (await http.query(api.extras.groups, {})) as string[];
  assert.deepEqual(groups, [...new Set(groups)].sort());
  assert.ok(groups.includes("f") && groups.includes("g"));
});

test("action retries: a failing action is rerun by the scheduler until it succeeds", async () => {
  await http.mutation(api.extras.startFlaky, { key: "flaky-1", failures: 2 });
  await until<string[]>(
    client,
    api.extras.jobs,
    {},
    (states) => states.length === 3 && states.filter((s) => s === "success").length === 1,
    "two failures and a success",
  );
  assert.equal(await http.query(api.extras.attempts, { key: "flaky-1" }), 3);
  assert.deepEqual(((await http.query(api.extras.jobs, {})) as string[]).sort(), ["failed", "failed", "success"]);
});

test("triggers see every write of a mutation that writes in parallel", async () => {
  const before = (await http.query(api.users.count, {})) as number;
  const ids = (await http.mutation(api.users.createMany, { lastName: "Parallel", n: 5 })) as string[];
  assert.equal(new Set(ids).size, 5);
  assert.equal(await http.query(api.users.count, {}), before + 5);
  assert.deepEqual(((await http.query(api.users.fullNames, { lastName: "Parallel" })) as string[]).sort(), [
    "N0 Parallel",
    "N1 Parallel",
    "N2 Parallel",
    "N3 Parallel",
    "N4 Parallel",
  ]);
});

test("a pinned page whose last document is deleted keeps its place", async () => {
  await http.mutation(api.items.seed, { group: "edge", from: 0, to: 6 });
  const list = (args: object) => http.query(api.items.list, { group: "edge", ...args }) as Promise<Page<number>>;
  const p1 = await list({ paginationOpts: { numItems: 3, cursor: null } });
  await http.mutation(api.items.removeN, { group: "edge", n: 2 });
  await http.mutation(api.items.add, { group: "edge", n: 2.5 });
  const again = await list({ paginationOpts: { numItems: 3, cursor: null, endCursor: p1.continueCursor } });
  assert.deepEqual(again.page, [0, 1]);
  const p2 = await list({ paginationOpts: { numItems: 3, cursor: p1.continueCursor } });
  assert.deepEqual(p2.page, [2.5, 3, 4]);
  const desc1 = await list({ paginationOpts: { numItems: 2, cursor: null }, order: "desc" });
  assert.deepEqual(desc1.page, [5, 4]);
  await http.mutation(api.items.removeN, { group: "edge", n: 4 });
  const desc2 = await list({ paginationOpts: { numItems: 2, cursor: desc1.continueCursor }, order: "desc" });
  assert.deepEqual(desc2.page, [3, 2.5]);
});

test("migrations dry run: one batch runs and is rolled back, its result reaching the caller through ConvexError", async () => {
  const tag = (await http.mutation(api.extras.create, { name: "quiet" })) as { _id: string };
  const admin = new ConvexHttpClient(backend.url);
  (admin as unknown as { setAdminAuth(key: string): void }).setAdminAuth(backend.adminKey);
  const status = (await admin.mutation(
    "migrations:run" as never,
    {
      fn: "migrations:shoutTags",
      dryRun: true,
    } as never,
  )) as unknown;
  assert.ok(status !== undefined);
  assert.equal(((await http.query(api.extras.read, { id: tag._id })) as { name: string }).name, "quiet");
  const statuses = (await http.query(api.migrations.status, {})) as Array<{ name: string }>;
  assert.ok(!statuses.some((s) => s.name === "migrations:shoutTags" && (s as { isDone?: boolean }).isDone));
});

test("index order across value types: core paginate, paginator, merged streams and getPage agree", async () => {
  await http.mutation(api.mixed.seed, {});
  const walk = async (fn: unknown, order: "asc" | "desc", numItems: number) => {
    const labels: string[] = [];
    let cursor: string | null = null;
    for (;;) {
      const r: Page<string> = await http.query(fn as never, { paginationOpts: { numItems, cursor }, order } as never);
      labels.push(...r.page);
      if (r.isDone) return labels;
      cursor = r.continueCursor;
    }
  };
  // Convex's order (`compareValues` of convex/values): missing < null < int64 < float64 (-0 before
  // 0, NaN after every number) < boolean < string < bytes < array.
  const expected = [
    "missing",
    "null",
    "int-neg",
    "int-1",
    "float-neg",
    "float-negzero",
    "float-zero",
    "float-2",
    "float-nan",
    "bool-false",
    "bool-true",
    "str-empty",
    "str-a",
    "str-b",
    "bytes",
    "arr",
  ];
  assert.deepEqual(await walk(api.mixed.core, "asc", 100), expected);
  assert.deepEqual(await walk(api.mixed.core, "asc", 3), expected);
  assert.deepEqual(await walk(api.mixed.core, "desc", 4), [...expected].reverse());
  assert.deepEqual(await walk(api.mixed.helper, "asc", 3), expected);
  assert.deepEqual(await walk(api.mixed.helper, "desc", 4), [...expected].reverse());
  assert.deepEqual(await http.query(api.mixed.merged, {}), expected);
  assert.deepEqual(await http.query(api.mixed.pageFrom, { after: "float-neg" }), expected.slice(5));
  assert.deepEqual(await http.query(api.mixed.pageFrom, { after: "missing" }), expected.slice(1));
});

test("streams: equality on a missing field, and many index streams merged at once", async () => {
  assert.deepEqual(await http.query(api.mixed.missingOnly, {}), {
    core: ["missing"],
    streamed: ["missing"],
    nulls: ["null"],
  });
  for (let g = 0; g < 7; g++) await http.mutation(api.items.seed, { group: `many-${g}`, from: 0, to: 3 });
  assert.equal(await http.query(api.mixed.manyStreams, { n: 100 }), 30);
});

test("a search page offers a split cursor too; its halves are the page", async () => {
  for (const body of ["apple pie", "apple tart", "apple juice", "apple cider", "pear"]) {
    await http.mutation(api.notes.add, { body });
  }
  const search = (opts: object) =>
    http.query(api.notes.search, { q: "apple", paginationOpts: { numItems: 4, ...opts } }) as Promise<Page<string>>;
  const page = await search({ cursor: null });
  assert.equal(page.page.length, 4);
  assert.equal(typeof page.splitCursor, "string");
  const a = await search({ cursor: null, endCursor: page.splitCursor });
  const b = await search({ cursor: page.splitCursor, endCursor: page.continueCursor });
  assert.equal(a.page.length, 2);
  assert.deepEqual([...a.page, ...b.page], page.page);
});

test("a live page cut by its read budget is rerun when the row that cut it goes away", async () => {
  await http.mutation(api.items.seed, { group: "peek", from: 0, to: 4 });
  const args = { group: "peek", paginationOpts: { numItems: 10, cursor: null, maximumRowsRead: 2 } };
  const cut = await until<Page<number>>(client, api.items.list, args, (r) => r.page.length > 0, "the cut page");
  assert.deepEqual(cut.page, [0, 1]);
  assert.equal(cut.pageStatus, "SplitRequired");
  // The page (its journal pins it at its last row) no longer needs a split once that row is gone.
  const stop = client.onUpdate(api.items.list, args, () => {});
  await until<Page<number>>(client, api.items.list, args, (r) => r.pageStatus === "SplitRequired", "subscribed");
  await http.mutation(api.items.removeN, { group: "peek", n: 2 });
  const after = await until<Page<number>>(
    client,
    api.items.list,
    args,
    (r) => r.pageStatus !== "SplitRequired",
    "rerun",
  );
  stop();
  assert.deepEqual(after.page, [0, 1]);
  assert.equal(after.isDone, false);
});
