/**
 * File storage on an S3-compatible bucket: the signer reproduces AWS's published SigV4 examples,
 * and a backend configured with `fileStorage: { kind: "s3" }` serves a pushed app's uploads,
 * downloads, ranges, deletes and limits from a local S3-compatible server (s3rver) the test starts.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { S3BlobStore, signRequest, type BlobKey, type S3Config } from "../../src/files/index.js";
import { copyFixture, pushOnce, tempDir } from "../server/fixture.js";

const api = anyApi;
const LIMIT = 64 * 1024;
const EXAMPLE_KEY = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  region: "us-east-1",
};
const EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
const S3rver = createRequire(import.meta.url)("s3rver") as new (options: object) => S3rverServer;

let s3: S3rverServer;
let backend: Backend;
let client: ConvexHttpClient;
let bucket: S3BlobStore;

before(async () => {
  s3 = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory: await tempDir("s3rver"),
    configureBuckets: [{ name: "tandem-files" }],
  });
  const { port } = await s3.run();
  const config: Omit<S3Config, "spoolDir"> = {
    kind: "s3",
    endpoint: `http://127.0.0.1:${port}`,
    bucket: "tandem-files",
    region: "us-east-1",
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    prefix: "deployment/files/",
  };
  const dataDir = await tempDir("files-s3");
  backend = await startBackend({
    dataDir,
    port: 0,
    sitePort: 0,
    logger: silentLogger,
    fileUploadLimitBytes: LIMIT,
    fileStorage: config,
  });
  bucket = new S3BlobStore({ ...config, spoolDir: await tempDir("s3-spool") });
  const app = await copyFixture("files");
  await pushOnce(app, { url: backend.url, adminKey: backend.adminKey });
  client = new ConvexHttpClient(backend.url);
});

after(async () => {
  await backend?.close();
  await s3?.close();
});

async function objects(): Promise<string[]> {
  const keys: string[] = [];
  for await (const { key } of bucket.list()) keys.push(key);
  return keys;
}

async function upload(bytes: Uint8Array<ArrayBuffer>, type = "application/octet-stream"): Promise<string> {
  const url = (await client.mutation(api.files!.generateUploadUrl!, {})) as string;
  const r = await fetch(url, { method: "POST", headers: { "Content-Type": type }, body: bytes });
  assert.equal(r.status, 200, await r.clone().text());
  return ((await r.json()) as { storageId: string }).storageId;
}

test("SigV4: AWS's published List Objects example; a ranged GET signs host and x-amz-* only", () => {
  const now = new Date("2013-05-24T00:00:00Z");
  const list = signRequest({
    method: "GET",
    url: new URL("https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J"),
    payloadHash: EMPTY,
    key: EXAMPLE_KEY,
    now,
  });
  assert.match(list.authorization!, /Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7$/);
  const get = signRequest({
    method: "GET",
    url: new URL("https://examplebucket.s3.amazonaws.com/test.txt"),
    headers: { Range: "bytes=0-9" },
    payloadHash: EMPTY,
    key: EXAMPLE_KEY,
    now,
  });
  assert.match(
    get.authorization!,
    /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/20130524\/us-east-1\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
  );
});

test("the first file of a deployment stored by a mutation (its thread creates _storage)", async () => {
  assert.deepEqual(await client.query(api.files!.storedFiles!, {}), []);
  const storageId = (await client.mutation(api.files!.storeText!, { text: "first", type: "" })) as string;
  const files = (await client.query(api.files!.storedFiles!, {})) as Array<Record<string, unknown>>;
  assert.deepEqual(
    files.map((f) => f._id),
    [storageId],
  );
  assert.ok(!("contentType" in files[0]!));
  assert.equal(await (await fetch((await client.query(api.files!.getUrl!, { storageId })) as string)).text(), "first");
});

test("upload → getUrl → download, ranges and metadata from the bucket", async () => {
  const bytes = randomBytes(40_000);
  const before = (await objects()).length;
  const storageId = await upload(bytes, "image/jpeg");
  assert.equal((await objects()).length, before + 1);
  const url = (await client.query(api.files!.getUrl!, { storageId })) as string;
  const r = await fetch(url);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("content-type"), "image/jpeg");
  assert.equal(r.headers.get("content-length"), "40000");
  assert.deepEqual(Buffer.from(await r.arrayBuffer()), bytes);
  const part = await fetch(url, { headers: { Range: "bytes=100-199" } });
  assert.equal(part.status, 206);
  assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(100, 200));
  const m = (await client.query(api.files!.metadata!, { storageId })) as { legacy: { size: number } };
  assert.equal(m.legacy.size, 40_000);
});

test("ctx.storage in actions and mutations on the bucket; delete removes the object", async () => {
  const fromAction = (await client.action(api.files!.storeInAction!, {
    text: "in the bucket",
    type: "text/plain",
  })) as string;
  assert.deepEqual(await client.action(api.files!.readInAction!, { storageId: fromAction }), {
    isBlob: true,
    text: "in the bucket",
    type: "text/plain",
    size: 13,
  });
  const fromMutation = (await client.mutation(api.files!.storeText!, {
    text: "mutation bytes",
    type: "text/plain",
  })) as string;
  assert.deepEqual(await client.mutation(api.files!.readText!, { storageId: fromMutation }), {
    text: "mutation bytes",
    type: "text/plain",
  });
  const before = await objects();
  await client.action(api.files!.deleteInAction!, { storageId: fromAction });
  assert.equal((await objects()).length, before.length - 1);
  await client.mutation(api.files!.deleteFile!, { storageId: fromMutation });
  assert.equal(await client.query(api.files!.getUrl!, { storageId: fromMutation }), null);
  for (let i = 0; i < 200 && (await objects()).length !== before.length - 2; i++)
    await new Promise((r) => setTimeout(r, 10));
  assert.equal((await objects()).length, before.length - 2);
});

test("an over-limit upload puts nothing in the bucket", async () => {
  const before = await objects();
  const url = (await client.mutation(api.files!.generateUploadUrl!, {})) as string;
  const r = await fetch(url, { method: "POST", body: new Uint8Array(LIMIT + 1) });
  assert.equal(r.status, 413);
  assert.deepEqual((await objects()).sort(), before.sort());
});

test("the store answers null for an object that is not there", async () => {
  assert.equal(await bucket.read("0".repeat(32) as BlobKey), null);
  assert.equal(await bucket.open("0".repeat(32) as BlobKey), null);
});
