/**
 * File storage through the official client and CLI (docs/http-api.md#file-storage): a pushed app asks for
 * an upload URL, the bytes are POSTed there, and `getUrl` serves them back with their type,
 * length, ETag and ranges; `_storage` rows are visible through `ctx.db.system`; delete removes
 * row and bytes; ids that are malformed or shaped like paths get clear errors.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { request } from "node:http";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import WebSocket from "ws";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { copyFixture, pushOnce, tempDir } from "../server/fixture.js";
import { eventually } from "../sync/harness.js";

const api = anyApi;
const LIMIT = 512 * 1024;
let backend: Backend;
let dataDir: string;
let client: ConvexHttpClient;
let app: string;

before(async () => {
  dataDir = await tempDir("files");
  backend = await startBackend({ dataDir, port: 0, sitePort: 0, logger: silentLogger, fileUploadLimitBytes: LIMIT });
  app = await copyFixture("files");
  await pushOnce(app, { url: backend.url, adminKey: backend.adminKey });
  client = new ConvexHttpClient(backend.url);
});

after(async () => {
  await backend?.close();
});

async function uploadUrl(): Promise<string> {
  return (await client.mutation(api.files!.generateUploadUrl!, {})) as string;
}

async function upload(bytes: Uint8Array<ArrayBuffer>, type = "image/png"): Promise<string> {
  const r = await fetch(await uploadUrl(), { method: "POST", headers: { "Content-Type": type }, body: bytes });
  assert.equal(r.status, 200, await r.clone().text());
  const { storageId } = (await r.json()) as { storageId: string };
  return storageId;
}

/** Every file under the storage root. */
async function blobsOnDisk(): Promise<string[]> {
  const root = join(dataDir, "files");
  const shards = await readdir(root).catch(() => [] as string[]);
  const out: string[] = [];
  for (const s of shards) out.push(...(await readdir(join(root, s))));
  return out;
}

/** A GET with a raw request target (fetch would normalize `..`). */
function rawGet(target: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(backend.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: target, method: "GET" }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("upload → getUrl → download gives the same bytes, with type, length and ETag", async () => {
  // Large enough to be hashed off the main thread.
  const bytes = randomBytes(300_000);
  const storageId = await upload(bytes, "image/png");
  await client.mutation(api.files!.sendImage!, { storageId, author: "ada" });
  const [message] = (await client.query(api.files!.list!, {})) as Array<{ body: string; url: string }>;
  assert.equal(message!.body, storageId);
  assert.equal(message!.url, `${backend.url}/api/storage/${storageId}`);
  const r = await fetch(message!.url);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("content-type"), "image/png");
  assert.equal(r.headers.get("content-length"), "300000");
  assert.equal(r.headers.get("accept-ranges"), "bytes");
  const sha = createHash("sha256").update(bytes).digest("base64");
  assert.equal(r.headers.get("etag"), `"${sha}"`);
  assert.equal(r.headers.get("digest"), `sha-256=${sha}`);
  assert.deepEqual(Buffer.from(await r.arrayBuffer()), bytes);
  const again = await fetch(message!.url, { headers: { "If-None-Match": `"${sha}"` } });
  assert.equal(again.status, 304);
});

test("metadata: the _storage row through ctx.db.system and the legacy getMetadata", async () => {
  const bytes = Buffer.from("hello, files");
  const storageId = await upload(bytes, "text/plain");
  const m = (await client.query(api.files!.metadata!, { storageId })) as {
    system: Record<string, unknown>;
    legacy: Record<string, unknown>;
  };
  const sha = createHash("sha256").update(bytes);
  const digest = sha.digest();
  assert.deepEqual(Object.keys(m.system).sort(), ["_creationTime", "_id", "contentType", "sha256", "size"]);
  assert.equal(m.system._id, storageId);
  assert.equal(m.system.sha256, digest.toString("base64"));
  assert.equal(m.system.size, bytes.length);
  assert.equal(m.system.contentType, "text/plain");
  assert.deepEqual(m.legacy, {
    storageId,
    sha256: digest.toString("hex"),
    size: bytes.length,
    contentType: "text/plain",
  });
  const all = (await client.query(api.files!.storedFiles!, {})) as Array<{ _id: string }>;
  assert.ok(all.some((f) => f._id === storageId));
  // Without a Content-Type the row has no contentType field (v.optional), and serving falls back.
  const r = await fetch(await uploadUrl(), { method: "POST", body: new Uint8Array([1, 2, 3]) });
  const { storageId: untyped } = (await r.json()) as { storageId: string };
  const m2 = (await client.query(api.files!.metadata!, { storageId: untyped })) as { system: Record<string, unknown> };
  assert.ok(!("contentType" in m2.system));
});

test("range requests: 206 with Content-Range, suffix ranges, 416 past the end", async () => {
  const bytes = randomBytes(1000);
  const storageId = await upload(bytes);
  const url = (await client.query(api.files!.getUrl!, { storageId })) as string;
  const part = await fetch(url, { headers: { Range: "bytes=10-19" } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get("content-range"), "bytes 10-19/1000");
  assert.equal(part.headers.get("content-length"), "10");
  assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(10, 20));
  const tail = await fetch(url, { headers: { Range: "bytes=-5" } });
  assert.equal(tail.status, 206);
  assert.deepEqual(Buffer.from(await tail.arrayBuffer()), bytes.subarray(995));
  const open = await fetch(url, { headers: { Range: "bytes=990-" } });
  assert.equal(open.headers.get("content-range"), "bytes 990-999/1000");
  assert.deepEqual(Buffer.from(await open.arrayBuffer()), bytes.subarray(990));
  const past = await fetch(url, { headers: { Range: "bytes=5000-" } });
  assert.equal(past.status, 416);
  assert.equal(past.headers.get("content-range"), "bytes */1000");
  await past.arrayBuffer();
});

test("delete from a mutation: getUrl is null, the URL 404s and the bytes leave the disk", async () => {
  const storageId = await upload(Buffer.from("short-lived"));
  const url = (await client.query(api.files!.getUrl!, { storageId })) as string;
  const key = (await blobsOnDisk()).length;
  assert.ok(key > 0);
  await client.mutation(api.files!.deleteFile!, { storageId });
  assert.equal(await client.query(api.files!.getUrl!, { storageId }), null);
  const r = await fetch(url);
  assert.equal(r.status, 404);
  assert.equal(((await r.json()) as { code: string }).code, "FileNotFound");
  // The bytes are removed right after the commit that deleted the row.
  const before = key;
  for (let i = 0; i < 200 && (await blobsOnDisk()).length === before; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal((await blobsOnDisk()).length, before - 1);
  await assert.rejects(client.mutation(api.files!.deleteFile!, { storageId }), /Storage ID "[^"]+" not found/);
});

test("over-limit uploads are refused and store nothing", async () => {
  const rowsBefore = ((await client.query(api.files!.storedFiles!, {})) as unknown[]).length;
  const filesBefore = (await blobsOnDisk()).length;
  const big = new Uint8Array(LIMIT + 1);
  const declared = await fetch(await uploadUrl(), { method: "POST", body: big });
  assert.equal(declared.status, 413);
  assert.equal(((await declared.json()) as { code: string }).code, "UploadTooLarge");
  // A streamed body without Content-Length is cut off at the limit too.
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < 8; i++) c.enqueue(new Uint8Array(LIMIT / 4));
      c.close();
    },
  });
  const streamed = await fetch(await uploadUrl(), { method: "POST", body: stream, duplex: "half" } as RequestInit);
  assert.equal(streamed.status, 413);
  await streamed.arrayBuffer();
  // Exactly at the limit is fine.
  const atLimit = await fetch(await uploadUrl(), { method: "POST", body: new Uint8Array(LIMIT) });
  assert.equal(atLimit.status, 200);
  const { storageId } = (await atLimit.json()) as { storageId: string };
  const rows = (await client.query(api.files!.storedFiles!, {})) as Array<{ _id: string }>;
  assert.equal(rows.length, rowsBefore + 1);
  assert.equal(rows.at(-1)!._id, storageId);
  assert.equal((await blobsOnDisk()).length, filesBefore + 1);
  // ctx.storage.store in a mutation has the same limit.
  await assert.rejects(
    client.mutation(api.files!.storeText!, { text: "x".repeat(LIMIT + 1), type: "" }),
    /upload limit/,
  );
});

test("an upload whose client goes away mid-body stores nothing, and the next upload works", async () => {
  const rowsBefore = ((await client.query(api.files!.storedFiles!, {})) as unknown[]).length;
  const filesBefore = (await blobsOnDisk()).length;
  const target = new URL(await uploadUrl());
  const req = request({
    host: target.hostname,
    port: target.port,
    path: target.pathname + target.search,
    method: "POST",
    headers: { "Content-Type": "application/octet-stream", "Content-Length": String(LIMIT) },
  });
  req.on("error", () => {});
  req.write(randomBytes(LIMIT / 2));
  // The half body reaches the file before the connection drops.
  await eventually(async () => (await blobsOnDisk()).length === filesBefore + 1, 5000, "the partial file");
  req.destroy();
  await eventually(async () => (await blobsOnDisk()).length === filesBefore, 5000, "the partial file removed");
  assert.equal(((await client.query(api.files!.storedFiles!, {})) as unknown[]).length, rowsBefore);
  const bytes = randomBytes(1000);
  const id = await upload(bytes, "application/octet-stream");
  const url = (await client.query(api.files!.getUrl!, { storageId: id })) as string;
  assert.deepEqual(Buffer.from(await (await fetch(url)).arrayBuffer()), bytes);
});

test("upload tokens: missing, forged or altered tokens get 401 and store nothing", async () => {
  const good = new URL(await uploadUrl());
  assert.equal(good.pathname, "/api/storage/upload");
  const token = good.searchParams.get("token")!;
  const filesBefore = (await blobsOnDisk()).length;
  const post = (t: string | null) => {
    const u = new URL(good);
    if (t === null) u.searchParams.delete("token");
    else u.searchParams.set("token", t);
    return fetch(u, { method: "POST", body: "x" });
  };
  const altered = token.slice(0, -2) + (token.endsWith("AA") ? "BB" : "AA");
  const [issuedAt, nonce, mac] = token.split(".");
  const backdated = `${(Number.parseInt(issuedAt!, 36) - 1).toString(36)}.${nonce}.${mac}`;
  for (const t of [null, "", "garbage", altered, backdated]) {
    const r = await post(t);
    assert.equal(r.status, 401, `token ${t}`);
    assert.equal(((await r.json()) as { code: string }).code, "InvalidStorageToken");
  }
  assert.equal((await blobsOnDisk()).length, filesBefore);
  // As on Convex, an upload URL may be used again until it expires.
  assert.equal((await post(token)).status, 200);
  assert.equal((await post(token)).status, 200);
});

test("a digest that does not match the body is refused and stores nothing", async () => {
  const filesBefore = (await blobsOnDisk()).length;
  const wrong = createHash("sha256").update("other").digest("base64");
  const r = await fetch(await uploadUrl(), {
    method: "POST",
    headers: { Digest: `sha-256=${wrong}` },
    body: "payload",
  });
  assert.equal(r.status, 400);
  assert.equal(((await r.json()) as { code: string }).code, "Sha256Mismatch");
  assert.equal((await blobsOnDisk()).length, filesBefore);
  const right = createHash("sha256").update("payload").digest("base64");
  const ok = await fetch(await uploadUrl(), {
    method: "POST",
    headers: { Digest: `sha-256=${right}` },
    body: "payload",
  });
  assert.equal(ok.status, 200);
});

test("traversal-shaped and malformed storage ids get clear errors", async () => {
  for (const target of [
    "/api/storage/..%2F..%2Fetc%2Fpasswd",
    "/api/storage/../../etc/passwd",
    "/api/storage/%2e%2e",
    "/api/storage/not-an-id",
    "/api/storage/",
  ]) {
    const r = await rawGet(target);
    assert.equal(r.status, 400, `${target}: ${r.body}`);
    assert.doesNotMatch(r.body, /root:/);
    assert.equal((JSON.parse(r.body) as { code: string }).code, "InvalidStorageId", target);
  }
  for (const bad of ["../../etc/passwd", "", "x".repeat(5000), "kg2bn3pz0mgc5q4pd8ppbfk9x57ah0zy"]) {
    await assert.rejects(
      client.query(api.files!.getUrl!, { storageId: bad }),
      /Invalid argument `storageId` for `storage.getUrl`/,
    );
  }
  // The id of another table's document is no storage id.
  const storageId = await upload(Buffer.from("x"));
  const messageId = (await client.mutation(api.files!.sendImage!, { storageId, author: "bob" })) as string;
  await assert.rejects(
    client.query(api.files!.getUrl!, { storageId: messageId }),
    /expected an ID of table "_storage" but got an ID of table "messages"/,
  );
  const r = await rawGet(`/api/storage/${messageId}`);
  assert.equal(r.status, 400);
  await assert.rejects(client.action(api.files!.urlsInAction!, { storageId: "../x" }), /Invalid argument `storageId`/);
  await assert.rejects(
    client.action(api.files!.deleteInAction!, { storageId: messageId }),
    /expected an ID of table "_storage"/,
  );
});

test("ctx.storage in actions: store, get (a Blob), getUrl, getMetadata, generateUploadUrl, delete", async () => {
  const storageId = (await client.action(api.files!.storeInAction!, {
    text: "from an action",
    type: "text/markdown",
  })) as string;
  const read = await client.action(api.files!.readInAction!, { storageId });
  assert.deepEqual(read, { isBlob: true, text: "from an action", type: "text/markdown", size: 14 });
  const urls = (await client.action(api.files!.urlsInAction!, { storageId })) as {
    url: string;
    metadata: { size: number };
    uploadUrl: string;
  };
  assert.equal(urls.url, `${backend.url}/api/storage/${storageId}`);
  assert.equal(urls.metadata.size, 14);
  assert.equal(await (await fetch(urls.url)).text(), "from an action");
  const posted = await fetch(urls.uploadUrl, { method: "POST", body: "via the action's URL" });
  assert.equal(posted.status, 200);
  // An uploaded file read back in an action.
  const uploaded = await upload(Buffer.from("uploaded"), "text/plain");
  assert.deepEqual(await client.action(api.files!.readInAction!, { storageId: uploaded }), {
    isBlob: true,
    text: "uploaded",
    type: "text/plain",
    size: 8,
  });
  const filesBefore = (await blobsOnDisk()).length;
  await client.action(api.files!.deleteInAction!, { storageId });
  assert.equal((await blobsOnDisk()).length, filesBefore - 1);
  assert.equal(await client.action(api.files!.readInAction!, { storageId }), null);
  const gone = (await client.action(api.files!.urlsInAction!, { storageId })) as { url: unknown; metadata: unknown };
  assert.equal(gone.url, null);
  assert.equal(gone.metadata, null);
  await assert.rejects(client.action(api.files!.deleteInAction!, { storageId }), /not found/);
});

test("ctx.storage.store and get in mutations; a mutation that throws leaves no row", async () => {
  const storageId = (await client.mutation(api.files!.storeText!, {
    text: "stored in a mutation",
    type: "text/plain",
  })) as string;
  assert.deepEqual(await client.mutation(api.files!.readText!, { storageId }), {
    text: "stored in a mutation",
    type: "text/plain",
  });
  assert.equal(
    await (await fetch((await client.query(api.files!.getUrl!, { storageId })) as string)).text(),
    "stored in a mutation",
  );
  const rowsBefore = ((await client.query(api.files!.storedFiles!, {})) as unknown[]).length;
  await assert.rejects(client.mutation(api.files!.storeThenFail!, { text: "never kept" }), /changed my mind/);
  assert.equal(((await client.query(api.files!.storedFiles!, {})) as unknown[]).length, rowsBefore);
});

test("files survive a re-push of the app (the _storage table is not the app's)", async () => {
  const storageId = await upload(Buffer.from("kept across pushes"), "text/plain");
  await pushOnce(app, { url: backend.url, adminKey: backend.adminKey });
  const url = (await client.query(api.files!.getUrl!, { storageId })) as string;
  assert.equal(await (await fetch(url)).text(), "kept across pushes");
});

test("a subscribed getUrl goes to null when the file is deleted, and lists follow uploads", async () => {
  const live = new ConvexClient(backend.url, {
    skipConvexDeploymentUrlCheck: true,
    webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
    logger: false,
  });
  try {
    const storageId = await upload(Buffer.from("watched"));
    const url = live.onUpdate(api.files!.getUrl!, { storageId }, () => {});
    await eventually(() => typeof url.getCurrentValue() === "string", 10_000, "the file's URL");
    const files = live.onUpdate(api.files!.storedFiles!, {}, () => {});
    await eventually(() => Array.isArray(files.getCurrentValue()), 10_000, "the file list");
    const count = (files.getCurrentValue() as unknown[]).length;
    await upload(Buffer.from("another"));
    await eventually(() => (files.getCurrentValue() as unknown[]).length === count + 1, 10_000, "the list to grow");
    await client.mutation(api.files!.deleteFile!, { storageId });
    await eventually(() => url.getCurrentValue() === null, 10_000, "the URL to go");
  } finally {
    await live.close();
  }
});

test("browser uploads: CORS preflight and headers on the upload and download answers", async () => {
  const url = await uploadUrl();
  const origin = "http://localhost:5173";
  const pre = await fetch(url, {
    method: "OPTIONS",
    headers: {
      Origin: origin,
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "content-type",
    },
  });
  assert.equal(pre.status, 200);
  assert.equal(pre.headers.get("access-control-allow-origin"), origin);
  assert.match(pre.headers.get("access-control-allow-methods") ?? "", /POST/);
  assert.equal(pre.headers.get("access-control-allow-headers"), "content-type");
  const up = await fetch(url, {
    method: "POST",
    headers: { Origin: origin, "Content-Type": "image/gif" },
    body: "GIF89a",
  });
  assert.equal(up.headers.get("access-control-allow-origin"), origin);
  const { storageId } = (await up.json()) as { storageId: string };
  const down = await fetch(`${backend.url}/api/storage/${storageId}`, { headers: { Origin: origin } });
  assert.equal(down.headers.get("access-control-allow-origin"), origin);
  assert.equal(down.headers.get("x-content-type-options"), "nosniff");
  assert.equal(await down.text(), "GIF89a");
});
