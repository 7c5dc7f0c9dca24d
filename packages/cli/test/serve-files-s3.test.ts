/**
 * `tandem serve --files s3://…`: file bytes go to an S3-compatible bucket (a local s3rver the test
 * starts), keys from the environment; a bad `--files` value or missing keys are clear errors.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { fileStorageFrom } from "../src/file-storage-option.js";
import { copyFixture, pushOnce } from "../../backend/test/server/fixture.js";
import { startServe } from "./support/serve-process.js";

const api = anyApi;
const S3rver = createRequire(import.meta.url)("s3rver") as new (options: object) => {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
};
const KEYS = { TANDEM_S3_ACCESS_KEY_ID: "S3RVER", TANDEM_S3_SECRET_ACCESS_KEY: "S3RVER" };

test("--files: disk, an s3:// URL with endpoint, region and prefix; clear errors", () => {
  assert.equal(fileStorageFrom(undefined, {}), undefined);
  assert.deepEqual(fileStorageFrom("disk", {}), { kind: "disk" });
  assert.deepEqual(
    fileStorageFrom(undefined, { TANDEM_FILES: "s3://b-1/app/files?endpoint=http://127.0.0.1:9000", ...KEYS }),
    {
      kind: "s3",
      endpoint: "http://127.0.0.1:9000",
      bucket: "b-1",
      region: "us-east-1",
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
      prefix: "app/files/",
    },
  );
  const aws = fileStorageFrom("s3://bucket?region=eu-west-1", { AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "b" });
  assert.equal(aws?.kind === "s3" && aws.endpoint, "https://s3.eu-west-1.amazonaws.com");
  assert.throws(() => fileStorageFrom("ftp://x", KEYS), /must be "disk" or s3:\/\//);
  assert.throws(() => fileStorageFrom("s3://b?endpoint=file:///etc", KEYS), /endpoint must be an http\(s\) URL/);
  assert.throws(() => fileStorageFrom("s3://b", {}), /TANDEM_S3_ACCESS_KEY_ID/);
});

test("tandem serve --files s3://… stores uploads in the bucket and serves them back", async () => {
  const s3Dir = await mkdtemp(join(tmpdir(), "tandem-s3rver-"));
  const s3 = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory: s3Dir,
    configureBuckets: [{ name: "tandem-files" }],
  });
  const { port } = await s3.run();
  const data = await mkdtemp(join(tmpdir(), "tandem-serve-s3-"));
  const adminKey = "tandem|" + randomBytes(16).toString("hex");
  const server = startServe(
    ["--data", data, "--admin-key", adminKey, "--files", `s3://tandem-files/app?endpoint=http://127.0.0.1:${port}`],
    KEYS,
  );
  try {
    const { api: url } = await server.ready;
    assert.doesNotMatch(server.output(), /S3RVER/, "the keys are not printed");
    const app = await copyFixture("files");
    await pushOnce(app, { url, adminKey });
    const client = new ConvexHttpClient(url);
    const bytes = randomBytes(200_000);
    const uploadUrl = (await client.mutation(api.files!.generateUploadUrl!, {})) as string;
    const r = await fetch(uploadUrl, { method: "POST", headers: { "Content-Type": "image/png" }, body: bytes });
    assert.equal(r.status, 200, await r.clone().text());
    const { storageId } = (await r.json()) as { storageId: string };
    const fileUrl = (await client.query(api.files!.getUrl!, { storageId })) as string;
    const back = await fetch(fileUrl);
    assert.equal(back.headers.get("content-type"), "image/png");
    assert.deepEqual(Buffer.from(await back.arrayBuffer()), bytes);
    // The bytes are in the bucket under the prefix, not under the data folder.
    const inBucket = await readdir(join(s3Dir, "tandem-files", "app"), { recursive: true });
    assert.ok(inBucket.length > 0, "an object under the prefix");
  } finally {
    const code = await server.stop();
    await s3.close();
    assert.equal(code, 0, server.output());
  }
});
