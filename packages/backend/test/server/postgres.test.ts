/**
 * The backend on Postgres, as `tandem serve --db postgres://…` runs it: function threads with their
 * own read-only Postgres connections, a push by the official CLI, a live subscription and
 * mutations through the official clients, and everything still there after a restart.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import WebSocket from "ws";
import { silentLogger } from "@tandem/shared";
import type { StorageDescriptor } from "@tandem/storage";
import { startBackend, type Backend } from "../../src/server/index.js";
import { freshSchema, postgresAvailable, POSTGRES_URL } from "../../../../test/support/postgres.js";
import { copyFixture, pushOnce, tempDir } from "./fixture.js";

const api = anyApi;
const available = await postgresAvailable();

test("push, subscribe, mutate and restart on Postgres through the official clients", available, async () => {
  const { schema, drop } = freshSchema();
  const database: StorageDescriptor = { kind: "postgres", url: POSTGRES_URL, schema };
  const dataDir = await tempDir("pg-backend");
  const start = () =>
    startBackend({ dataDir, port: 0, sitePort: 0, logger: silentLogger, database, adminKey: "test-admin:key" });
  let backend: Backend | null = await start();
  let live: ConvexClient | null = null;
  try {
    await backend.setEnvironmentVariables({ TEST_ISSUER_DOMAIN: "https://issuer.example.com" });
    const app = await copyFixture("multi");
    await pushOnce(app, { url: backend.url, adminKey: backend.adminKey });

    const http = new ConvexHttpClient(backend.url, { skipConvexDeploymentUrlCheck: true });
    const channel = (await http.mutation(api.channels!.create!, { name: "general" })) as string;
    live = new ConvexClient(backend.url, {
      skipConvexDeploymentUrlCheck: true,
      webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
      logger: false,
    });
    const seen: string[][] = [];
    const two = new Promise<void>((resolve) =>
      live!.onUpdate(api.messages!.list!, { channel }, (v: { body: string }[]) => {
        seen.push(v.map((m) => m.body));
        if (v.length === 2) resolve();
      }),
    );
    await live.mutation(api.messages!.send!, { channel, author: "ada", body: "hello" });
    const second = (await http.mutation(api.messages!.send!, { channel, author: "bob", body: "hi" })) as string;
    await two;
    assert.deepEqual(seen.at(-1), ["hello", "hi"]);
    // Concurrent read-modify-write mutations: every increment lands (OCC on Postgres-backed commits).
    const likes = await Promise.all(
      Array.from({ length: 8 }, () => http.mutation(api.messages!.like!, { id: second })),
    );
    assert.deepEqual(
      [...(likes as number[])].sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
    await live.close();
    live = null;

    await backend.close();
    backend = null;
    backend = await start();
    const again = new ConvexHttpClient(backend.url, { skipConvexDeploymentUrlCheck: true });
    const messages = (await again.query(api.messages!.list!, { channel })) as { body: string; likes?: number }[];
    assert.deepEqual(
      messages.map((m) => [m.body, m.likes ?? 0]),
      [
        ["hello", 0],
        ["hi", 8],
      ],
    );
  } finally {
    await live?.close();
    await backend?.close();
    await drop();
  }
});

test("two backends on one Postgres: read-modify-write mutations through both lose no update", available, async () => {
  const { schema, drop } = freshSchema();
  const database: StorageDescriptor = { kind: "postgres", url: POSTGRES_URL, schema };
  const node = async () =>
    startBackend({
      dataDir: await tempDir("pg-node"),
      port: 0,
      sitePort: 0,
      logger: silentLogger,
      database,
      adminKey: "test-admin:key",
    });
  const nodes: Backend[] = [];
  try {
    nodes.push(await node());
    await nodes[0]!.setEnvironmentVariables({ TEST_ISSUER_DOMAIN: "https://issuer.example.com" });
    await pushOnce(await copyFixture("multi"), { url: nodes[0]!.url, adminKey: nodes[0]!.adminKey });
    nodes.push(await node()); // loads the pushed deployment from the database
    const [one, two] = nodes.map((b) => new ConvexHttpClient(b.url, { skipConvexDeploymentUrlCheck: true }));
    const channel = (await one!.mutation(api.channels!.create!, { name: "shared" })) as string;
    const id = (await two!.mutation(api.messages!.send!, { channel, author: "ada", body: "counted" })) as string;
    // Each node's snapshot lags the other's commits: without checking conflicts against the
    // commits in the database, some increments would overwrite others.
    const likes = await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? one! : two!).mutation(api.messages!.like!, { id })),
    );
    assert.deepEqual(
      [...(likes as number[])].sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6],
    );
    await nodes[0]!.storage.sync(); // the follower would get there too; syncing now keeps the read below deterministic
    const stored = (await one!.query(api.messages!.get!, { id })) as { likes: number };
    assert.equal(stored.likes, 6);
  } finally {
    for (const b of nodes) await b.close();
    await drop();
  }
});
