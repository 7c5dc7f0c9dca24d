/**
 * A manual run (not part of `npm test`; see docs/public-apps.md) of webdevcody/thumbnail-critique
 * (MIT), whose `convex/` needs `openai`, `stripe`, `convex-helpers` and `svix` installed: too heavy
 * to add to the repo's dependencies for one test. Usage, with the app's folder holding its
 * unmodified `convex/` and those packages in its `node_modules`:
 *
 *   node --import tsx test/apps/manual/thumbnail-critique.ts /tmp/thumb
 *
 * It pushes the folder with the app's own official CLI, creates users through the identity
 * service (Clerk-style `user.created` webhooks to the app's `/clerk` route, verified by `svix` in
 * a `"use node"` action), then drives the app's flows with the official ConvexClient: uploads,
 * a thumbnail test, a vote and a comment seen live by the author, notifications, `getUrl`, and the
 * AI comment against a local fake of the OpenAI API (`OPENAI_BASE_URL`). Stripe is left out: the
 * app builds its client with no way to change the API host.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConvexClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "@tandem/backend";
import { startIdentity, type TestIdentity } from "../../support/identity.js";
import { pushApp } from "../../support/app.js";
import { backendApi, passwordSignIn, until } from "../../support/app-clients.js";

const api = anyApi;
const PASSWORD = "a long enough password";
const dir = process.argv[2];
if (!dir) throw new Error("usage: thumbnail-critique.ts <app folder with node_modules>");
let identity!: TestIdentity;
let backend!: Backend;
let started = false;
const clients: ConvexClient[] = [];
const bapi = (method: string, path: string, body?: unknown) => backendApi(identity, method, path, body);
const signIn = (email: string) => passwordSignIn(identity, email, PASSWORD);
const aiRequests: { url: string | undefined; auth: string | undefined; body: any }[] = [];

function clientAs(token: () => Promise<string>): ConvexClient {
  const c = new ConvexClient(backend.url);
  c.setAuth(token);
  clients.push(c);
  return c;
}

const fakeAi = createServer((req, res) => {
  let body = "";
  req.on("data", (d: Buffer) => (body += d.toString()));
  req.on("end", () => {
    aiRequests.push({ url: req.url, auth: req.headers.authorization, body: JSON.parse(body || "{}") });
    res.setHeader("content-type", "application/json");
    res.end(
      JSON.stringify({
        id: "chatcmpl-1",
        object: "chat.completion",
        created: 1,
        model: "fake",
        choices: [
          { index: 0, finish_reason: "stop", message: { role: "assistant", content: "The first one is best." } },
        ],
      }),
    );
  });
});

try {
  identity = await startIdentity({});
  backend = await startBackend({
    dataDir: await mkdtemp(join(tmpdir(), "thumb-")),
    port: 0,
    sitePort: 0,
    logger: silentLogger,
  });
  started = true;
  await new Promise<void>((r) => fakeAi.listen(0, "127.0.0.1", () => r()));
  const endpoint = await bapi("POST", "/webhooks/endpoints", { url: `${backend.siteUrl}/clerk` });
  await backend.setEnvironmentVariables({
    CLERK_WEBHOOK_SECRET: endpoint.secret,
    CLERK_JWT_ISSUER_DOMAIN: identity.url,
    OPENAI_API_KEY: "sk-test",
    OPENAI_BASE_URL: `http://127.0.0.1:${(fakeAi.address() as AddressInfo).port}/v1`,
  });
  await pushApp(dir, { url: backend.url, adminKey: backend.adminKey });
  for (const [email, first, last] of [
    ["ada@example.com", "Ada", "Lovelace"],
    ["bob@example.com", "Bob", "Builder"],
  ])
    await bapi("POST", "/users", { email_address: [email], password: PASSWORD, first_name: first, last_name: last });
  const ada = clientAs(await signIn("ada@example.com"));
  const bob = clientAs(await signIn("bob@example.com"));
  const me = await until<any>(ada, api.users!.getMyUser!, {}, (m) => m != null, "ada's row from user.created");
  assert.equal(me.name, "Ada Lovelace");
  await until<any>(bob, api.users!.getMyUser!, {}, (m) => m != null, "bob's row");

  const upload = async (c: ConvexClient, bytes: string) => {
    const url = (await c.mutation(api.files!.generateUploadUrl!, {})) as string;
    const r = await fetch(url, { method: "POST", headers: { "Content-Type": "image/png" }, body: bytes });
    return ((await r.json()) as { storageId: string }).storageId;
  };
  const images = [await upload(ada, "first image"), await upload(ada, "second image")];
  const thumbnailId = (await ada.action(api.thumbnails!.createThumbnailAction!, { title: "Which?", images })) as string;
  await bob.mutation(api.thumbnails!.voteOnThumbnail!, { thumbnailId, imageId: images[1] });
  const voted = await until<any>(
    ada,
    api.thumbnails!.getThumbnail!,
    { thumbnailId },
    (t) => t?.votes?.[1] === 1,
    "bob's vote, live",
  );
  assert.deepEqual(voted.votes, [0, 1]);
  await bob.mutation(api.thumbnails!.addComment!, { thumbnailId, text: "the second" });
  const comments = await until<any[]>(
    ada,
    api.thumbnails!.getComments!,
    { thumbnailId },
    (c) => c.length === 1,
    "the comment, live",
  );
  assert.equal(comments[0].name, "Bob Builder");
  const url = (await ada.query(api.files!.getImageUrl!, { imageId: images[0] })) as string;
  assert.equal(await (await fetch(url)).text(), "first image");
  const recent = (await ada.query(api.thumbnails!.getRecentThumbnails!, {
    paginationOpts: { numItems: 10, cursor: null },
  })) as any;
  assert.equal(recent.page.length, 1);
  const notes = (await ada.query(api.notification!.getNotifications!, {})) as any[];
  assert.deepEqual(notes.map((n) => n.type).sort(), ["comment", "vote"]);

  // The AI comment (its admin entry point needs `isAdmin`, which only the dashboard sets): the internal action, as an admin runs it.
  const r = await fetch(`${backend.url}/api/action`, {
    method: "POST",
    headers: { authorization: `Convex ${backend.adminKey}`, "content-type": "application/json" },
    body: JSON.stringify({ path: "vision:generateAIComment", args: { thumbnailId }, format: "json" }),
  });
  assert.equal(r.status, 200, await r.text());
  assert.equal(aiRequests.length, 1);
  assert.equal(aiRequests[0]!.auth, "Bearer sk-test");
  assert.equal(aiRequests[0]!.body.messages[0].content[1].image_url.url, url, "getUrl is what the model is sent");
  await until<any[]>(
    ada,
    api.thumbnails!.getComments!,
    { thumbnailId },
    (c) => c.some((x) => x.text === "The first one is best."),
    "the AI comment",
  );
  console.log("thumbnail-critique: push, webhooks, uploads, votes, comments, notifications, AI comment: ok");
} finally {
  await Promise.all(clients.map((c) => c.close()));
  if (started) await backend.close();
  await identity?.stop();
  fakeAi.close();
}
