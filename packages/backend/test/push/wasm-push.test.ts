/**
 * A `.wasm` import pushed by the official CLI: its bundler embeds the bytes and decodes them with
 * `Uint8Array.fromBase64` (ES2026, in Convex's runtime, in Node only from 25), so analysis of the
 * module failed on older Node. Also the base64 and hex methods called by app code.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { copyFixture, pushOnce, tempDir } from "../server/fixture.js";

const api = anyApi;
let backend: Backend;

before(async () => {
  backend = await startBackend({ dataDir: await tempDir("wasm-data"), port: 0, sitePort: 0, logger: silentLogger });
});

after(async () => {
  await backend?.close();
});

test("a module importing a .wasm file pushes and runs it; Uint8Array base64 and hex work", async () => {
  await pushOnce(await copyFixture("wasm"), { url: backend.url, adminKey: backend.adminKey });
  const client = new ConvexHttpClient(backend.url);
  assert.equal(await client.query(api.math!.sum!, { a: 2, b: 40 }), 42);
  assert.deepEqual(await client.mutation(api.math!.encodings!, { text: "héllo" }), {
    b64: "aMOpbGxv",
    hex: "68c3a96c6c6f",
    same: true,
  });
});
