import assert from "node:assert/strict";
import { createServer, request, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { isTandemError } from "../../src/index.js";
import { readBody, writeReply } from "../../src/http/index.js";

/** Posts `body` to a server that answers what `readBody(req, limit)` produced (or its error code). */
async function post(
  body: Buffer,
  headers: Record<string, string>,
  limit: number,
): Promise<{ status: number; text: string }> {
  const server = createServer((req: IncomingMessage, res) => {
    readBody(req, limit).then(
      (b) => writeReply(res, 200, {}, b),
      (e: unknown) => writeReply(res, isTandemError(e) ? e.status : 500, {}, isTandemError(e) ? e.code : String(e)),
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise((resolve, reject) => {
      const req = request({ port, host: "127.0.0.1", method: "POST", path: "/", headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString() }));
      });
      req.on("error", reject);
      req.end(body);
    });
  } finally {
    server.close();
  }
}

test("a body within the limit comes back as sent; gzip is decoded", async () => {
  assert.deepEqual(await post(Buffer.from("hello"), {}, 100), { status: 200, text: "hello" });
  assert.deepEqual(await post(gzipSync("zipped"), { "content-encoding": "gzip" }, 100), {
    status: 200,
    text: "zipped",
  });
});

test("too large (declared, streamed or decoded) is 413 PayloadTooLarge; a bad encoding is 400", async () => {
  assert.deepEqual(await post(Buffer.alloc(200), {}, 100), { status: 413, text: "PayloadTooLarge" });
  assert.deepEqual(await post(Buffer.alloc(200), { "transfer-encoding": "chunked" }, 100), {
    status: 413,
    text: "PayloadTooLarge",
  });
  assert.deepEqual(await post(gzipSync(Buffer.alloc(10_000)), { "content-encoding": "gzip" }, 1000), {
    status: 413,
    text: "PayloadTooLarge",
  });
  assert.deepEqual(await post(Buffer.from("x"), { "content-encoding": "compress" }, 100), {
    status: 400,
    text: "BadContentEncoding",
  });
  assert.deepEqual(await post(Buffer.from("not gzip"), { "content-encoding": "gzip" }, 100), {
    status: 400,
    text: "BadContentEncoding",
  });
});
