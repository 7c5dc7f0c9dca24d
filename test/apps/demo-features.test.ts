/**
 * The calls Convex's feature demos make (scheduling, search, vector search, file storage with and
 * without HTTP, HTTP actions, crons, system tables, users kept by Clerk webhooks), through an app
 * written to the same shapes (test/fixtures/demo-features; the demos carry no licence to vendor):
 * pushed by the official CLI, driven with ConvexClient as the demos' React pages drive them, live
 * where they use `useQuery`. Webhooks come from Tandem's identity service, tokens from its
 * Frontend API. The scheduler's clock is manual, so countdowns and crons run on demand.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConvexClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { ManualClock, startBackend, type Backend } from "@tandem/backend";
import { startIdentity, type TestIdentity } from "../support/identity.js";
import { copyApp, pushApp, type AppCopy } from "../support/app.js";
import { until } from "../support/app-clients.js";

const api = anyApi;
const ORIGIN = "http://localhost:5173";
const PASSWORD = "a long enough password";
let identity: TestIdentity;
let backend: Backend;
let app: AppCopy;
let clock: ManualClock;
let client: ConvexClient;

type Message = { _id: string; author: string; body: string; format?: string; url?: string };

const bodies = (ms: Message[]) => ms.map((m) => m.body);

before(async () => {
  identity = await startIdentity();
  clock = new ManualClock();
  backend = await startBackend({
    dataDir: await mkdtemp(join(tmpdir(), "tandem-demo-features-")),
    port: 0,
    sitePort: 0,
    logger: silentLogger,
    clock,
  });
  const endpoint = await fetch(`${identity.url}/backend/v1/webhooks/endpoints`, {
    method: "POST",
    headers: { authorization: `Bearer ${identity.secretKey}`, "content-type": "application/json" },
    body: JSON.stringify({ url: `${backend.siteUrl}/clerk-users-webhook` }),
  });
  await backend.setEnvironmentVariables({
    CLERK_WEBHOOK_SECRET: ((await endpoint.json()) as { secret: string }).secret,
    CLERK_JWT_ISSUER_DOMAIN: identity.issuer,
    CLIENT_ORIGIN: ORIGIN,
  });
  app = await copyApp("demo-features", ["svix"]);
  const output = await pushApp(app.dir, { url: backend.url, adminKey: backend.adminKey });
  assert.match(output, /messages\.search_body \(text\)\s+body/);
  assert.match(output, /recipes\.by_embedding \(vector\)\s+embedding \(1536 dimensions\), filter on cuisine/);
  await backend.scheduler.settled();
  client = new ConvexClient(backend.url);
});

after(async () => {
  await client?.close();
  await backend?.close();
  await identity?.stop();
  await app?.remove();
});

test("scheduling: a message counts down through a chain of runAfter and deletes itself, live", async () => {
  await client.mutation(api.messages!.send!, { body: "stays", author: "ada" });
  await client.mutation(api.messages!.sendVanishing!, { body: "bye", author: "ada", seconds: 3 });
  // The clock is real time plus an offset, so on a slow machine a tick can fall due on its own
  // before the test advances it: each step waits for its count or a later one (or the deletion).
  const countLeft = (m: Message[]) => {
    const hit = bodies(m)
      .map((b) => /^bye \(gone in (\d)s\)$/.exec(b))
      .find(Boolean);
    return hit ? Number(hit[1]) : 0;
  };
  await until<Message[]>(client, api.messages!.list!, {}, (m) => countLeft(m) > 0, "the vanishing message");
  for (const left of [3, 2, 1]) {
    await until<Message[]>(client, api.messages!.list!, {}, (m) => countLeft(m) <= left, `${left}s`);
    clock.advance(1000);
  }
  await until<Message[]>(client, api.messages!.list!, {}, (m) => bodies(m).join() === "stays", "the message deleted");
});

test("search: a live search subscription gains matches as they are sent, prefix of the last term", async () => {
  const seen = until<Message[]>(
    client,
    api.messages!.search!,
    { query: "hel" },
    (m) => m.length === 3,
    "three matches",
  );
  for (const body of ["hello world", "goodbye", "help me", "well hello hello"]) {
    await client.mutation(api.messages!.send!, { body, author: "bob" });
  }
  assert.deepEqual(bodies(await seen).sort(), ["hello world", "help me", "well hello hello"]);
  assert.deepEqual(bodies((await client.query(api.messages!.search!, { query: "hello" })) as Message[]), [
    "well hello hello",
    "hello world",
  ]);
});

test("file storage and system tables: upload URL, getUrl in a live list, _storage metadata, scheduled sends", async () => {
  const png = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 7, 7, 7]);
  const postUrl = (await client.mutation(api.messages!.generateUploadUrl!, {})) as string;
  const up = await fetch(postUrl, { method: "POST", headers: { "Content-Type": "image/png" }, body: png });
  assert.equal(up.status, 200);
  const { storageId } = (await up.json()) as { storageId: string };
  await client.mutation(api.messages!.sendImage!, { storageId, author: "ada" });
  const list = await until<Message[]>(client, api.messages!.list!, {}, (m) => m.some((x) => x.url), "the image");
  const image = list.find((m) => m.format === "image")!;
  const got = await fetch(image.url!);
  assert.equal(got.headers.get("content-type"), "image/png");
  assert.deepEqual(new Uint8Array(await got.arrayBuffer()), png);

  const files = (await client.query(api.admin!.files!, {})) as Array<Record<string, unknown>>;
  assert.equal(files.length, 1);
  assert.equal(files[0]!._id, storageId);
  assert.equal(files[0]!.size, png.length);
  assert.equal(files[0]!.contentType, "image/png");
  assert.equal(files[0]!.author, "ada");
  assert.match(files[0]!.sha256 as string, /^[A-Za-z0-9+/]{43}=$/);
  assert.equal(await client.query(api.admin!.fileUrl!, { id: storageId }), image.url);

  const soon = (await client.mutation(api.messages!.sendLater!, {
    delaySeconds: 30,
    body: "later",
    author: "cy",
  })) as string;
  const never = (await client.mutation(api.messages!.sendLater!, {
    delaySeconds: 600,
    body: "never",
    author: "cy",
  })) as string;
  type Job = { _id: string; name: string; args: unknown[]; state: { kind: string } };
  const pending = (await client.query(api.admin!.scheduled!, {})) as Job[];
  const job = pending.find((j) => j._id === soon)!;
  assert.equal(job.name, "messages.js:send");
  assert.deepEqual(job.args, [{ body: "later", author: "cy" }]);
  assert.equal(job.state.kind, "pending");
  await client.mutation(api.admin!.cancel!, { id: never });
  clock.advance(30_000);
  await until<Job[]>(
    client,
    api.admin!.scheduled!,
    {},
    (js) =>
      js.find((j) => j._id === soon)?.state.kind === "success" &&
      js.find((j) => j._id === never)?.state.kind === "canceled",
    "success and canceled",
  );
  assert.ok(bodies((await client.query(api.messages!.list!, {})) as Message[]).includes("later"));
  assert.ok(!bodies((await client.query(api.messages!.list!, {})) as Message[]).includes("never"));
});

test("HTTP actions: JSON POST, query parameter, header, path prefix, 400s, CORS, files both ways", async () => {
  const site = backend.siteUrl;
  const post = await fetch(`${site}/postMessage`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ author: "User 7", body: "hi" }),
  });
  assert.equal(post.status, 200);
  const expected = [{ author: "User 7", body: "via HTTP: hi" }];
  for (const r of [
    await fetch(`${site}/messagesByAuthor?author=7`),
    await fetch(`${site}/messagesByAuthor`, { headers: { author: "7" } }),
    await fetch(`${site}/authorMessages/7`),
  ]) {
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-type"), "application/json");
    assert.deepEqual(await r.json(), expected);
  }
  const missing = await fetch(`${site}/messagesByAuthor`);
  assert.equal(missing.status, 400);
  assert.equal(await missing.text(), "Say which author, as a query parameter or header");

  const preflight = await fetch(`${site}/sendImage`, {
    method: "OPTIONS",
    headers: {
      Origin: ORIGIN,
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "content-type",
    },
  });
  assert.equal(preflight.status, 200);
  assert.equal(preflight.headers.get("access-control-allow-origin"), ORIGIN);
  assert.equal(preflight.headers.get("access-control-allow-methods"), "POST");
  assert.equal(preflight.headers.get("access-control-max-age"), "86400");
  const bytes = new Uint8Array([1, 2, 3, 250, 251]);
  const send = await fetch(`${site}/sendImage?author=${encodeURIComponent("User 8")}`, {
    method: "POST",
    headers: { "Content-Type": "image/gif", Origin: ORIGIN },
    body: bytes,
  });
  assert.equal(send.status, 200);
  assert.equal(send.headers.get("access-control-allow-origin"), ORIGIN);
  assert.equal(send.headers.get("vary"), "origin");
  const list = await until<Message[]>(
    client,
    api.messages!.list!,
    {},
    (m) => m.some((x) => x.author === "User 8"),
    "the image message",
  );
  const storageId = list.find((m) => m.author === "User 8")!.body;
  const image = await fetch(`${site}/getImage?storageId=${storageId}`);
  assert.equal(image.status, 200);
  assert.equal(image.headers.get("content-type"), "image/gif", "a stored Blob answers with its type");
  assert.deepEqual(new Uint8Array(await image.arrayBuffer()), bytes);
  const noAuthor = await fetch(`${site}/sendImage`, { method: "POST", body: "x" });
  assert.equal(noAuthor.status, 400);
  assert.equal((await fetch(`${site}/nowhere`)).status, 404);
});

test("vector search: actions insert embeddings; the use-node action ranks by cosine, with an or-filter", async () => {
  const rows = [
    ["italian", "spaghetti with pecorino cheese and black pepper"],
    ["indian", "chicken marinated in yogurt with chillies and coconut"],
    ["japanese", "chicken and egg simmered in soy sauce over rice"],
    ["mexican", "spit grilled pork tacos with pineapple"],
  ] as const;
  for (const [cuisine, text] of rows) await client.action(api.recipes!.insert!, { cuisine, text });
  assert.equal(((await client.query(api.recipes!.list!, {})) as unknown[]).length, 4);
  type Hit = { _score: number; text: string; cuisine: string };
  const all = (await client.action(api.similar!.recipes!, { query: "pepper cheese spaghetti" })) as Hit[];
  assert.equal(all.length, 4);
  assert.equal(all[0]!.cuisine, "italian");
  assert.ok(
    all.every((h, i) => i === 0 || all[i - 1]!._score >= h._score),
    "ordered by score",
  );
  const filtered = (await client.action(api.similar!.recipes!, {
    query: "chicken",
    cuisines: ["indian", "mexican"],
  })) as Hit[];
  assert.deepEqual(filtered.map((h) => h.cuisine).sort(), ["indian", "mexican"]);
  assert.equal(filtered[0]!.cuisine, "indian");
});

test("users kept by webhooks from the identity service; the signed-in user posts under its row", async () => {
  const created = await fetch(`${identity.url}/backend/v1/users`, {
    method: "POST",
    headers: { authorization: `Bearer ${identity.secretKey}`, "content-type": "application/json" },
    body: JSON.stringify({ email_address: ["ada@example.com"], password: PASSWORD, first_name: "Ada", last_name: "L" }),
  });
  const ada = (await created.json()) as { id: string };
  const fapi = async (path: string, body: Record<string, string>, token?: string) => {
    const res = await fetch(`${identity.url}${path}?_is_native=1`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...(token ? { authorization: token } : {}) },
      body: new URLSearchParams(body).toString(),
    });
    return { token: res.headers.get("authorization") ?? token, body: (await res.json()) as any };
  };
  const signIn = await fapi("/v1/client/sign_ins", {
    identifier: "ada@example.com",
    password: PASSWORD,
    strategy: "password",
  });
  const sid = signIn.body.response.created_session_id as string;
  const authed = new ConvexClient(backend.url);
  authed.setAuth(async () => (await fapi(`/v1/client/sessions/${sid}/tokens`, {}, signIn.token!)).body.jwt as string);
  try {
    const me = await until<{ name: string; externalId: string } | null>(
      authed,
      api.users!.current!,
      {},
      (u) => u !== null,
      "user.created",
    );
    assert.deepEqual([me!.name, me!.externalId], ["Ada L", ada.id]);
    await authed.mutation(api.users!.post!, { body: "first" });
    assert.equal(await authed.query(api.users!.postCount!, {}), 1);
    await fetch(`${identity.url}/backend/v1/users/${ada.id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${identity.secretKey}`, "content-type": "application/json" },
      body: JSON.stringify({ last_name: "Lovelace" }),
    });
    await until<Array<{ author: string }>>(
      authed,
      api.users!.posts!,
      {},
      (p) => p[0]?.author === "Ada Lovelace",
      "user.updated",
    );
    await fetch(`${identity.url}/backend/v1/users/${ada.id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${identity.secretKey}` },
    });
    await until<Array<{ author: string }>>(
      authed,
      api.users!.posts!,
      {},
      (p) => p[0]?.author === "deleted user",
      "user.deleted",
    );
    await assert.rejects(authed.mutation(api.users!.post!, { body: "again" }), /Can't get current user/);
  } finally {
    await authed.close();
  }
});

test("crons: the interval cron empties its table each minute", async () => {
  await client.mutation(api.notes!.add!, { text: "one" });
  await client.mutation(api.notes!.add!, { text: "two" });
  assert.equal(((await client.query(api.notes!.list!, {})) as unknown[]).length, 2);
  clock.advance(60_000);
  await until<unknown[]>(client, api.notes!.list!, {}, (n) => n.length === 0, "the cron run");
});
