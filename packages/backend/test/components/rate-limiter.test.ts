/**
 * `@convex-dev/rate-limiter` from npm, unmodified, pushed with the official CLI: a token bucket
 * and a fixed window, `retryAfter` when a limit is hit, `throws: true` raising its ConvexError,
 * separate keys, and reset.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ConvexError } from "convex/values";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { pushOnce, tempDir } from "../server/fixture.js";
import { copyComponentFixture } from "./fixture.js";

const api = anyApi;
let backend: Backend;
let client: ConvexHttpClient;
type Status = { ok: boolean; retryAfter?: number };

before(async () => {
  const app = await copyComponentFixture("ratelimit", ["rate-limiter"]);
  backend = await startBackend({
    dataDir: await tempDir("ratelimit-data"),
    port: 0,
    sitePort: 0,
    logger: silentLogger,
  });
  await pushOnce(app, { url: backend.url, adminKey: backend.adminKey });
  client = new ConvexHttpClient(backend.url);
});

after(async () => {
  await backend?.close();
});

test("a token bucket lets its capacity through, then answers with retryAfter", async () => {
  const first = (await client.mutation(api.limits!.consume!, { name: "sendMessage", key: "ada" })) as Status;
  const second = (await client.mutation(api.limits!.consume!, { name: "sendMessage", key: "ada" })) as Status;
  assert.equal(first.ok, true);
  assert.equal(second.ok, true);
  const third = (await client.mutation(api.limits!.consume!, { name: "sendMessage", key: "ada" })) as Status;
  assert.equal(third.ok, false);
  // Two tokens a minute: the next one is at most 30 s away.
  assert.ok(
    typeof third.retryAfter === "number" && third.retryAfter > 0 && third.retryAfter <= 30_000,
    JSON.stringify(third),
  );
  const other = (await client.mutation(api.limits!.consume!, { name: "sendMessage", key: "bob" })) as Status;
  assert.equal(other.ok, true, "another key has its own bucket");
  const checked = (await client.query(api.limits!.check!, { name: "sendMessage", key: "ada" })) as Status;
  assert.equal(checked.ok, false);
});

test("a fixed window counts to its rate; throws: true raises the RateLimited ConvexError", async () => {
  for (let i = 0; i < 3; i++)
    assert.equal(((await client.mutation(api.limits!.consume!, { name: "signUp" })) as Status).ok, true);
  assert.equal(((await client.mutation(api.limits!.consume!, { name: "signUp" })) as Status).ok, false);
  await assert.rejects(client.mutation(api.limits!.consumeOrThrow!, { name: "signUp" }), (e: unknown) => {
    assert.ok(e instanceof ConvexError, String(e));
    const data = e.data as { kind: string; name: string; retryAfter: number };
    assert.equal(data.kind, "RateLimited");
    assert.equal(data.name, "signUp");
    assert.ok(data.retryAfter > 0);
    return true;
  });
});

test("reset starts a limit afresh", async () => {
  await client.mutation(api.limits!.reset!, { name: "sendMessage", key: "ada" });
  assert.equal(((await client.mutation(api.limits!.consume!, { name: "sendMessage", key: "ada" })) as Status).ok, true);
});
