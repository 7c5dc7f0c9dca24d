/**
 * `@convex-dev/presence` from npm, unmodified (with its own `@convex-dev/batch-worker`), its
 * `convex/presence.ts` as its README gives it, driven as its `usePresence` hook does: heartbeats
 * (the component makes room and session tokens with `crypto.randomUUID` inside its mutation),
 * a live `list`, a session that stops heartbeating going offline through the component's
 * scheduled worker, and the `sendBeacon` disconnect (a plain JSON POST to `/api/mutation`).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ConvexClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { pushOnce, tempDir } from "../server/fixture.js";
import { copyComponentFixture } from "./fixture.js";

const presence = anyApi.presence!;
let backend: Backend;
let client: ConvexClient;
type Tokens = { roomToken: string; sessionToken: string };
type Member = { userId: string; online: boolean };

before(async () => {
  const app = await copyComponentFixture("presence", ["presence", "batch-worker"]);
  backend = await startBackend({ dataDir: await tempDir("presence-data"), port: 0, sitePort: 0, logger: silentLogger });
  await pushOnce(app, { url: backend.url, adminKey: backend.adminKey });
  client = new ConvexClient(backend.url);
});

after(async () => {
  await client?.close();
  await backend?.close();
});

const heartbeat = (userId: string, sessionId: string) =>
  client.mutation(presence.heartbeat!, { roomId: "room", userId, sessionId, interval: 1000 }) as Promise<Tokens>;

test("heartbeats join a room, a silent session goes offline, a beacon disconnects", async () => {
  const ada = await heartbeat("ada", "s-ada");
  const bob = await heartbeat("bob", "s-bob");
  assert.match(ada.roomToken, /^[0-9a-f-]{36}$/);
  assert.equal(bob.roomToken, ada.roomToken, "one room, one token");
  assert.notEqual(bob.sessionToken, ada.sessionToken);

  const states: string[] = [];
  const state = (l: Member[]) =>
    l
      .map((m) => `${m.userId}:${m.online ? "on" : "off"}`)
      .sort()
      .join(",");
  const seen = (want: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => (stop(), reject(new Error(`never saw ${want}: ${states.join(" | ")}`))), 30_000);
      const stop = client.onUpdate(presence.list!, { roomToken: ada.roomToken }, (l: Member[]) => {
        states.push(state(l));
        if (state(l) !== want) return;
        clearTimeout(timer);
        stop();
        resolve();
      });
    });
  await seen("ada:on,bob:on");
  // Ada keeps her heartbeat; Bob's stops, and the component's worker marks him offline.
  const keepAlive = setInterval(() => void heartbeat("ada", "s-ada").catch(() => {}), 500);
  try {
    await seen("ada:on,bob:off");
  } finally {
    clearInterval(keepAlive);
  }
  // `navigator.sendBeacon` on unload: a JSON body, no `format`.
  const beacon = await fetch(`${backend.url}/api/mutation`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ path: "presence:disconnect", args: { sessionToken: ada.sessionToken } }),
  });
  assert.equal(beacon.status, 200);
  await seen("ada:off,bob:off");
});
