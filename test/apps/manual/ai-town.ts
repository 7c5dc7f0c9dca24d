/**
 * A manual run (not part of `npm test`; see docs/public-apps.md) of a16z-infra/ai-town (MIT): a
 * simulation whose engine is a chain of scheduled actions and mutations, with crons, 30 tables,
 * vector search over memories and an LLM. Its `convex/` imports the map and characters from
 * `../data`, so the repository's `convex/` and `data/` folders are needed side by side (too large
 * to vendor). Usage, with `convex@1.48.0` installed in that folder:
 *
 *   node --import tsx test/apps/manual/ai-town.ts /tmp/aitown
 *
 * It pushes the folder unmodified with the app's own official CLI, points `OLLAMA_HOST` (the
 * app's default LLM provider) at a local fake of Ollama's chat and embedding endpoints, runs
 * `init` as the app's `predev` script does, and drives it as the frontend does: heartbeats, the
 * live `worldState`, `joinWorld`, a `moveTo` input, and the agents' conversations, whose messages
 * and memories (embeddings found again by vector search) must appear.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "@tandem/backend";
import { pushApp } from "../../support/app.js";
import { setAdminAuth } from "../../support/admin-auth.js";

const api = anyApi;
const dir = process.argv[2];
if (!dir) throw new Error("usage: ai-town.ts <folder with ai-town's convex/ and data/, and node_modules>");
const LINES = ["Hello there! Lovely day in town.", "Indeed, I was just thinking about the weather.", "Goodbye!"];
const calls = { chat: 0, embeddings: 0, related: 0 };

/** Ollama's `/v1/chat/completions` (plain and streamed) and `/api/embeddings` (1024 dimensions). */
const fakeOllama = createServer((req, res) => {
  let body = "";
  req.on("data", (d: Buffer) => (body += d.toString()));
  req.on("end", () => {
    const j = JSON.parse(body || "{}") as { prompt?: string; stream?: boolean; messages?: { content: string }[] };
    if (req.url === "/api/embeddings") {
      calls.embeddings++;
      const h = createHash("sha256")
        .update(j.prompt ?? "")
        .digest();
      const v = Array.from({ length: 1024 }, (_, i) => (h[i % 32]! - 128) / 128 + i * 1e-6);
      const norm = Math.hypot(...v);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ embedding: v.map((x) => x / norm) }));
      return;
    }
    if (req.url === "/v1/chat/completions") {
      const text = LINES[calls.chat++ % LINES.length]!;
      if (j.messages?.some((m) => m.content.includes("related memories"))) calls.related++;
      if (j.stream) {
        res.setHeader("content-type", "text/event-stream");
        for (const w of text.split(" "))
          res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: `${w} ` } }] })}\n\n`);
        res.end("data: [DONE]\n\n");
        return;
      }
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ choices: [{ message: { role: "assistant", content: text } }] }));
      return;
    }
    res.statusCode = 404;
    res.end(`no route ${req.url}`);
  });
});

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 120_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

let backend: Backend | null = null;
const client = () => new ConvexHttpClient(backend!.url);
let live: ConvexClient | null = null;
let heartbeat: NodeJS.Timeout | undefined;
try {
  await new Promise<void>((r) => fakeOllama.listen(0, "127.0.0.1", () => r()));
  backend = await startBackend({
    dataDir: await mkdtemp(join(tmpdir(), "ai-town-")),
    port: 0,
    sitePort: 0,
    logger: silentLogger,
  });
  await backend.setEnvironmentVariables({
    OLLAMA_HOST: `http://127.0.0.1:${(fakeOllama.address() as AddressInfo).port}`,
  });
  const pushed = await pushApp(dir, { url: backend.url, adminKey: backend.adminKey });
  assert.match(pushed, /memoryEmbeddings\.embedding \(vector\)\s+embedding \(1024 dimensions\), filter on playerId/);
  const admin = client();
  setAdminAuth(admin, backend.adminKey);
  await admin.mutation(api.init!.default!, {});
  const status = (await client().query(api.world!.defaultWorldStatus!, {})) as { worldId: string; engineId: string };
  assert.ok(status.worldId, "init made the default world");

  // The frontend: a heartbeat every few seconds keeps the world running; worldState is live.
  live = new ConvexClient(backend.url);
  const worldId = status.worldId;
  heartbeat = setInterval(() => void live!.mutation(api.world!.heartbeatWorld!, { worldId }).catch(() => {}), 2000);
  type Player = { id: string; human?: string; position: { x: number; y: number } };
  type World = { players: Player[]; conversations: { id: string }[] };
  let world: World | null = null;
  let updates = 0;
  live.onUpdate(api.world!.worldState!, { worldId }, (s: { world: World }) => {
    world = s.world;
    updates++;
  });
  await waitFor("the five agents, made by the engine from init's inputs", async () => {
    const d = (await live!.query(api.world!.gameDescriptions!, { worldId })) as { agentDescriptions: unknown[] };
    return d.agentDescriptions.length === 5;
  });

  await live.mutation(api.world!.joinWorld!, { worldId });
  const me = await waitFor("the human player", async () => world?.players.find((p) => p.human === "Me"));
  assert.equal(await live.query(api.world!.userStatus!, { worldId }), "Me");
  await live.mutation(api.world!.sendWorldInput!, {
    engineId: status.engineId,
    name: "moveTo",
    args: { playerId: me.id, destination: { x: 5, y: 5 } },
  });
  const start = me.position;
  await waitFor("the player to move", async () => {
    const p = world?.players.find((q) => q.id === me.id);
    return p && (p.position.x !== start.x || p.position.y !== start.y);
  });

  // Agents talk (the fake LLM), remember (embeddings), and recall (vector search in the prompt).
  const rows = async (tableName: string) =>
    (await admin.query("_system/frontend/tableSize" as never, { tableName } as never)) as number;
  await waitFor("messages written by the agents", async () => (await rows("messages")) >= 2, 300_000);
  await waitFor("memories with embeddings", async () => (await rows("memoryEmbeddings")) >= 1, 300_000);
  await waitFor("memories recalled by vector search", async () => calls.related > 0, 300_000);
  await live.mutation(api.world!.leaveWorld!, { worldId });
  console.log(
    `ai-town ran: ${updates} worldState updates, ${calls.chat} completions, ${calls.embeddings} embeddings, ` +
      `${await rows("messages")} messages, ${await rows("memories")} memories`,
  );
} finally {
  clearInterval(heartbeat);
  await live?.close();
  await backend?.close();
  fakeOllama.close();
}
