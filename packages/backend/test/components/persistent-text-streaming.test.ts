/**
 * `@convex-dev/persistent-text-streaming` from npm, unmodified, set up as its README gives it: the
 * component in `convex.config.ts`, a mutation creating the stream, a `getStreamBody` query and an
 * HTTP action streaming chunks with `stream(ctx, request, streamId, writer)`. Driven as its
 * `useStream` hook does: one client POSTs and reads the response body part by part while another
 * watches the body query grow on sentence boundaries and finish `done`. The chunks come from a
 * local fake LLM that sends each only when the test lets it, so a part read from the HTTP response
 * before the next is released proves the body streams while the action is still running.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ConvexClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { pushOnce, runConvex, tempDir } from "../server/fixture.js";
import { copyComponentFixture } from "./fixture.js";

const chat = anyApi.chat!;
type Body = { text: string; status: string };
let backend: Backend;
let client: ConvexClient;
/** The fake LLM's open streamed answers, by stream id: the test writes each chunk. */
const answers = new Map<string, ServerResponse>();
const waiting = new Map<string, (res: ServerResponse) => void>();
const llm = createServer((req, res) => {
  const id = new URL(req.url!, "http://x").searchParams.get("id")!;
  res.writeHead(200, { "content-type": "text/plain" });
  res.flushHeaders();
  answers.set(id, res);
  waiting.get(id)?.(res);
});

before(async () => {
  await new Promise<void>((r) => llm.listen(0, "127.0.0.1", r));
  const app = await copyComponentFixture("text-streaming", ["persistent-text-streaming"]);
  backend = await startBackend({ dataDir: await tempDir("pts-data"), port: 0, sitePort: 0, logger: silentLogger });
  const deployment = { url: backend.url, adminKey: backend.adminKey };
  await pushOnce(app, deployment);
  const port = (llm.address() as AddressInfo).port;
  const set = await runConvex(app, ["env", "set", "LLM_URL", `http://127.0.0.1:${port}`], deployment);
  assert.equal(set.code, 0, set.output);
  client = new ConvexClient(backend.url);
});

after(async () => {
  await client?.close();
  await backend?.close();
  llm.closeAllConnections();
  await new Promise((r) => llm.close(r));
});

const llmAnswer = (id: string) =>
  answers.has(id) ? Promise.resolve(answers.get(id)!) : new Promise<ServerResponse>((r) => waiting.set(id, r));

test("the HTTP action streams chunks as they come while the body query grows and ends done", async () => {
  const { streamId } = (await client.mutation(chat.createChat!, { prompt: "hello" })) as { streamId: string };
  const bodies: Body[] = [];
  const seen = (want: (b: Body) => boolean, what: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => bodies.some(want);
      if (check()) return resolve();
      const timer = setInterval(() => {
        if (check()) return (clearInterval(timer), clearTimeout(fail), resolve());
      }, 20);
      const fail = setTimeout(
        () => (clearInterval(timer), reject(new Error(`never saw ${what}: ${JSON.stringify(bodies)}`))),
        60_000,
      );
    });
  const stop = client.onUpdate(chat.getChatBody!, { streamId }, (b: Body) => bodies.push(b));
  try {
    await seen((b) => b.status === "pending" && b.text === "", "the pending, empty stream");

    // `useStream` awaits the response head before reading; the fake LLM sends nothing yet.
    const headTimeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("the response head waited for the body")), 30_000).unref(),
    );
    const r = await Promise.race([
      fetch(`${backend.siteUrl}/chat-stream`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ streamId }),
      }),
      headTimeout,
    ]);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("access-control-allow-origin"), "*");
    const reader = r.body!.getReader();
    const decoder = new TextDecoder();
    const read = async () => {
      const { done, value } = await reader.read();
      assert.equal(done, false, "the response ended early");
      return decoder.decode(value, { stream: true });
    };
    const answer = await llmAnswer(streamId);

    answer.write("Hi there");
    assert.equal(await read(), "Hi there", "the first chunk arrives while the LLM is still answering");
    // No sentence end yet: the component keeps it out of the database.
    answer.write("! How are");
    assert.equal(await read(), "! How are");
    await seen((b) => b.status === "streaming" && b.text === "Hi there! How are", "the first sentence saved");
    answer.write(" you?");
    assert.equal(await read(), " you?");
    await seen((b) => b.text === "Hi there! How are you?", "the second sentence saved");
    assert.ok(!bodies.some((b) => b.status === "done"), "not done while the LLM is still answering");
    answer.end(" Bye");

    let tail = "";
    for (let part = await reader.read(); !part.done; part = await reader.read()) tail += decoder.decode(part.value);
    assert.equal(tail, " Bye");
    await seen((b) => b.status === "done" && b.text === "Hi there! How are you? Bye", "the stream done");

    // A second POST for the same stream gets 205 (`useStream` falls back to the query).
    const again = await fetch(`${backend.siteUrl}/chat-stream`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ streamId }),
    });
    assert.equal(again.status, 205);
  } finally {
    stop();
  }
});

test("the CORS preflight of the README answers", async () => {
  const r = await fetch(`${backend.siteUrl}/chat-stream`, {
    method: "OPTIONS",
    headers: {
      origin: "http://localhost:5173",
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type",
    },
  });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("access-control-allow-methods"), "POST");
  assert.equal(r.headers.get("access-control-max-age"), "86400");
});
