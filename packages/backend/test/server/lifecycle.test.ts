/**
 * The probe answers through a starting → ready → draining life (docs/operations.md), on a plain
 * server so the `starting` state (over before `startBackend` returns) is observable.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Lifecycle, answerProbe, refuseUnavailable } from "../../src/server/lifecycle.js";

test("/ready is 503 while starting and draining, 200 when ready; /health is 200 throughout; other paths 503 until ready", async () => {
  const life = new Lifecycle();
  const server = createServer((req, res) => {
    if (answerProbe(life, req, res)) return;
    if (life.state !== "ready") return refuseUnavailable(life, res);
    res.end("served");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = async (path: string) => {
    const res = await fetch(origin + path);
    return [res.status, await res.text()] as const;
  };
  try {
    assert.deepEqual(await get("/ready"), [503, "starting"]);
    assert.deepEqual(await get("/health"), [200, "OK"]);
    assert.equal((await get("/api/query"))[0], 503);
    life.ready();
    assert.deepEqual(await get("/ready"), [200, "ready"]);
    assert.deepEqual(await get("/anything"), [200, "served"]);
    life.startDraining();
    life.ready(); // no way back from draining
    assert.deepEqual(await get("/ready"), [503, "draining"]);
    assert.deepEqual(await get("/health"), [200, "OK"]);
  } finally {
    server.close();
  }
});

test("idle() waits for tracked calls, and gives up at its bound", async () => {
  const life = new Lifecycle();
  assert.equal(await life.idle(1000), true, "idle at once with nothing in flight");
  let finish!: () => void;
  const call = life.trackCall(new Promise<void>((r) => (finish = r)));
  assert.equal(life.calls, 1);
  assert.equal(await life.idle(0), false, "bounded");
  const idle = life.idle(60_000);
  finish();
  await call;
  assert.equal(await idle, true);
  assert.equal(life.calls, 0);
  assert.equal(life.inFlight, 0);
  await assert.rejects(life.trackCall(Promise.reject(new Error("failed call"))), /failed call/);
  assert.equal(life.inFlight, 0, "a failed call is no longer in flight");
});
