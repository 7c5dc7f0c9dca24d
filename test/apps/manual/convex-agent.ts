/**
 * A manual run (not part of `npm test`; see docs/public-apps.md) of `@convex-dev/agent` 0.7.11
 * from npm, set up as its docs show (test/apps/manual/convex-agent/convex: an `Agent` with
 * `@ai-sdk/openai`'s chat and embedding models and a Convex tool). Its dependencies (the agent,
 * `ai` 7 and the AI SDK provider, ~28 MB) are too large to add to the repo, so they are installed
 * in a folder of their own:
 *
 *   mkdir /tmp/agent && cp test/apps/manual/convex-agent/package.json /tmp/agent/
 *   (cd /tmp/agent && npm install)
 *   node --import tsx test/apps/manual/convex-agent.ts /tmp/agent
 *
 * The script copies the app's `convex/` into that folder, pushes it with the app's own official
 * CLI, points `OPENAI_BASE_URL` at a local fake of OpenAI's chat completions (plain, streamed,
 * tool calls) and embeddings, and drives it as a client would: `createThread`, `generateText` with
 * a tool call, async `streamText` with `saveStreamDeltas` watched through a live
 * `listUIMessages` + `syncStreams` query, and vector and text search over the saved messages.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cp, mkdtemp } from "node:fs/promises";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConvexClient } from "convex/browser";
import { anyApi } from "convex/server";
import { createLogger, silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "@tandem/backend";
import { pushApp } from "../../support/app.js";
import { run } from "../../support/backend.js";

const chat = anyApi.chat!;
const dir = process.argv[2];
if (!dir) throw new Error("usage: convex-agent.ts <folder with the agent's node_modules installed>");
const here = dirname(fileURLToPath(import.meta.url));
const DIMENSIONS = 1536;
const calls = { chat: 0, streamed: 0, tools: 0, embeddings: 0, embedded: 0 };
/** Streamed answers send each word only once the script allows it (to see deltas mid-stream). */
let permits = 0;
let wake: (() => void) | null = null;
const allowWord = () => (permits++, wake?.());
async function nextWord() {
  while (permits === 0) await new Promise<void>((r) => (wake = r));
  permits--;
}
const WORDS = ["Streaming ", "words ", "about ", "clouds ", "arrive ", "one ", "by ", "one."];

/** Bag-of-words vectors: texts sharing words are near, so vector search has something to find. */
function embed(text: string): number[] {
  const v = new Array<number>(DIMENSIONS).fill(0);
  for (const w of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    const h = createHash("sha256").update(w).digest();
    for (let i = 0; i < 4; i++) v[h.readUInt16BE(i * 2) % DIMENSIONS]! += 1;
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x, i) => x / norm + (norm === 1 && i === 0 ? 1 : 0));
}

type ChatRequest = {
  stream?: boolean;
  tools?: { function: { name: string } }[];
  messages: { role: string; content: unknown; tool_calls?: unknown[] }[];
};
const text = (c: unknown) => (typeof c === "string" ? c : JSON.stringify(c));

async function streamAnswer(res: ServerResponse, words: string[]) {
  res.writeHead(200, { "content-type": "text/event-stream" });
  const chunk = (choice: object, extra: object = {}) =>
    res.write(
      `data: ${JSON.stringify({ id: "c1", created: 1, model: "gpt-4o-mini", choices: [choice], ...extra })}\n\n`,
    );
  chunk({ index: 0, delta: { role: "assistant", content: "" } });
  for (const w of words) {
    await nextWord();
    chunk({ index: 0, delta: { content: w } });
  }
  chunk({ index: 0, delta: {}, finish_reason: "stop" });
  res.write(
    `data: ${JSON.stringify({ id: "c1", choices: [], usage: { prompt_tokens: 5, completion_tokens: words.length, total_tokens: 5 + words.length } })}\n\n`,
  );
  res.end("data: [DONE]\n\n");
}

/** OpenAI's `/chat/completions` (plain, streamed, with tool calls) and `/embeddings`. */
const fakeOpenAI = createServer((req, res) => {
  let body = "";
  req.on("data", (d: Buffer) => (body += d.toString()));
  req.on("end", () => {
    void (async () => {
      if (req.headers.authorization !== "Bearer sk-fake") {
        res.writeHead(401).end();
        return;
      }
      if (req.url === "/v1/embeddings") {
        const j = JSON.parse(body) as { input: string[] };
        calls.embeddings++;
        calls.embedded += j.input.length;
        res.setHeader("content-type", "application/json");
        res.end(
          JSON.stringify({
            object: "list",
            model: "text-embedding-3-small",
            data: j.input.map((t, index) => ({ object: "embedding", index, embedding: embed(t) })),
            usage: { prompt_tokens: 1, total_tokens: 1 },
          }),
        );
        return;
      }
      if (req.url !== "/v1/chat/completions") {
        res.writeHead(404).end(`no route ${req.url}`);
        return;
      }
      const j = JSON.parse(body) as ChatRequest;
      calls.chat++;
      const last = j.messages[j.messages.length - 1]!;
      const lastText = text(last.content);
      const usage = { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 };
      if (j.stream) {
        calls.streamed++;
        await streamAnswer(res, WORDS);
        return;
      }
      let message: object;
      let finish = "stop";
      if (last.role === "tool") {
        message = { role: "assistant", content: `The forecast says: ${lastText.replace(/"/g, "")}.` };
      } else if (/weather/i.test(lastText) && j.tools?.some((t) => t.function.name === "getWeather")) {
        calls.tools++;
        finish = "tool_calls";
        message = {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "getWeather", arguments: '{"city":"Paris"}' } },
          ],
        };
      } else {
        message = { role: "assistant", content: `You said: ${lastText}` };
      }
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          id: "c1",
          created: 1,
          model: "gpt-4o-mini",
          choices: [{ index: 0, message, finish_reason: finish }],
          usage,
        }),
      );
    })();
  });
});

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 60_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

type Raw = {
  order: number;
  stepOrder: number;
  status: string;
  role?: string;
  text: string | null;
  tool: boolean;
  embeddingId: string | null;
};
type Listed = {
  page: { role: string; text: string; status: string; parts: { type: string }[] }[];
  streams?: { kind: string; messages?: { streamId: string; status: string }[]; deltas?: { parts: unknown[] }[] };
};

let backend: Backend | undefined;
let client: ConvexClient | undefined;
const threadIds: string[] = [];
try {
  await new Promise<void>((r) => fakeOpenAI.listen(0, "127.0.0.1", r));
  const llmUrl = `http://127.0.0.1:${(fakeOpenAI.address() as AddressInfo).port}/v1`;
  await cp(join(here, "convex-agent", "convex"), join(dir, "convex"), { recursive: true });
  backend = await startBackend({
    dataDir: await mkdtemp(join(tmpdir(), "tandem-agent-")),
    port: 0,
    sitePort: 0,
    logger: process.env.AGENT_DEBUG ? createLogger("agent", { level: "debug" }) : silentLogger,
  });
  const deployment = { url: backend.url, adminKey: backend.adminKey };
  const env = { CONVEX_SELF_HOSTED_URL: deployment.url, CONVEX_SELF_HOSTED_ADMIN_KEY: deployment.adminKey };
  console.log("push:", (await pushApp(dir, deployment)).trim().split("\n").pop());
  for (const [k, v] of [
    ["OPENAI_API_KEY", "sk-fake"],
    ["OPENAI_BASE_URL", llmUrl],
  ] as const) {
    const r = await run(dir, ["env", "set", k, v], env);
    assert.equal(r.code, 0, r.output);
  }
  client = new ConvexClient(backend.url);
  const c = client;

  // createThread, then generateText with a tool call: model -> getWeather (a Convex query) -> model.
  const threadId = (await c.mutation(chat.newThread!, { userId: "ada", title: "Weather" })) as string;
  const gen = (await c.action(chat.generate!, { threadId, prompt: "What is the weather in Paris?" })) as {
    text: string;
    steps: number;
  };
  assert.equal(gen.text, "The forecast says: Sunny and 21°C in Paris.");
  assert.equal(gen.steps, 2);
  const raw = (await c.query(chat.rawMessages!, { threadId })) as Raw[];
  console.log("generateText:", gen.text, `(${raw.length} messages)`);
  const roles = [...raw].sort((a, b) => a.order - b.order || a.stepOrder - b.stepOrder).map((m) => m.role);
  assert.deepEqual(roles, ["user", "assistant", "tool", "assistant"]);
  assert.ok(
    raw.some((m) => m.role === "user" && m.embeddingId),
    "the prompt was embedded",
  );

  // Async streaming: the mutation saves the prompt and schedules the streaming action; a live
  // query (as `useUIMessages` runs it) sees the stream and its deltas, then the finished message.
  const threadId2 = (await c.mutation(chat.newThread!, { userId: "ada" })) as string;
  threadIds.push(threadId2);
  const seen: Listed[] = [];
  const stop = c.onUpdate(
    chat.listThreadMessages!,
    {
      threadId: threadId2,
      paginationOpts: { numItems: 20, cursor: null },
      streamArgs: { kind: "list", startOrder: 0 },
    },
    (r: Listed) => seen.push(r),
  );
  await c.mutation(chat.sendMessage!, { threadId: threadId2, prompt: "Tell me about clouds" });
  const streaming = await waitFor("a streaming message", async () =>
    seen.flatMap((s) => s.streams?.messages ?? []).find((m) => m.status === "streaming"),
  );
  // Word by word: each one reaches the deltas (as the hook asks for them, from cursor 0) before
  // the fake model sends the next.
  const streamedText = async () => {
    const r = (await c.query(chat.listThreadMessages!, {
      threadId: threadId2,
      paginationOpts: { numItems: 20, cursor: null },
      streamArgs: { kind: "deltas", cursors: [{ streamId: streaming.streamId, cursor: 0 }] },
    })) as Listed;
    const parts = (r.streams?.deltas ?? []).flatMap((d) => d.parts) as { type: string; delta?: string }[];
    return parts.map((p) => (p.type === "text-delta" ? p.delta : "")).join("");
  };
  let sofar = "";
  for (const w of WORDS) {
    assert.ok(
      !seen.some((s) => s.page.some((m) => m.role === "assistant" && m.status === "success")),
      "the message is not final while the model streams",
    );
    allowWord();
    sofar += w;
    const want = sofar;
    await waitFor(`"${want}" in the deltas`, async () => (await streamedText()).startsWith(want.trimEnd()));
  }
  const final = await waitFor("the streamed message saved", async () =>
    seen.find((s) => s.page.some((m) => m.role === "assistant" && m.status === "success")),
  );
  stop();
  const answer = final.page.find((m) => m.role === "assistant")!;
  assert.equal(answer.text, "Streaming words about clouds arrive one by one.");
  console.log(`streamText: deltas grew word by word (${WORDS.length} words), final "${answer.text}"`);

  // Vector search, then text search, over saved messages: "weather in Paris" finds the first
  // thread's prompt from the second thread.
  for (const textSearch of [false, true]) {
    const found = (await c.action(chat.search!, {
      userId: "ada",
      threadId: threadId2,
      text: "weather in Paris",
      otherThreads: true,
      textSearch,
    })) as { threadId: string; text: string | null }[];
    console.log(`${textSearch ? "text" : "vector"} search:`, JSON.stringify(found));
    assert.ok(
      found.some((m) => m.threadId === threadId && m.text === "What is the weather in Paris?"),
      "search found the prompt in the other thread",
    );
  }
  console.log("fake OpenAI calls:", JSON.stringify(calls));
  console.log("OK");
} catch (e) {
  if (client && threadIds.length)
    for (const threadId of threadIds)
      console.error("messages:", JSON.stringify(await client.query(chat.rawMessages!, { threadId }), null, 1));
  throw e;
} finally {
  await client?.close();
  await backend?.close();
  fakeOpenAI.closeAllConnections();
  fakeOpenAI.close();
}
