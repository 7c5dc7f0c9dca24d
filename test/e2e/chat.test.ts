// The guide's app (examples/chat, started by `npm run demo`) in a real browser: Debian's Chromium
// through playwright-core. Each test runs the demo on a fresh copy of the app and free ports.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import type { Browser } from "playwright-core";
import { launchChromium } from "./support/browser.js";
import {
  authStates,
  badgeText,
  createUser,
  fullName,
  newPerson,
  openChat,
  seesMessage,
  sendMessage,
  showsAuth,
  shownMessages,
  signInWithPassword,
  signUpWithEmailCode,
} from "./support/chat.js";
import { startDemo, type RunningDemo } from "./support/demo.js";
import { recordMints, type Mint } from "./support/tokens.js";

interface StoredMessage {
  author: string;
  body: string;
  authorId?: string;
}
const listMessages = makeFunctionReference<"query", Record<string, never>, StoredMessage[]>("messages:list");
const sendAnonymous = makeFunctionReference<"mutation", { body: string; author?: string }, null>("messages:send");

/**
 * The page's Convex token is the identity service's session token (see support/tokens.ts), which
 * `tandem dev` mints for 60 s; the page stays open past one expiry, so it lives only if the
 * official client and @tandem/js refresh the token in time.
 */
/** Short session tokens (`tandem dev --session-token-lifetime`), so the page outlives several. */
const TOKEN_LIFETIME_S = 20;
const OPEN_FOR_MS = Math.max(40_000, (TOKEN_LIFETIME_S + 15) * 1000);
const TICK_MS = 5_000;

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** A fresh demo for one test, stopped (with everything it started) when the test ends. */
async function demoFor(t: { after(fn: () => Promise<void>): void }, args: string[] = []): Promise<RunningDemo> {
  const demo = await startDemo(args);
  t.after(() => demo.stop());
  return demo;
}

test("sign up with an e-mailed code, chat live with another user, reload, sign out", { timeout: 90_000 }, async (t) => {
  const demo = await demoFor(t);
  const ada = newPerson("Ada", "Lovelace");
  const grace = newPerson("Grace", "Hopper");

  const first = await openChat(browser, demo);
  t.after(() => first.context.close());
  await showsAuth(first.page, "Logged out");
  // The recorder the reload test relies on sees every view a visitor is shown.
  assert.deepEqual(await authStates(first.page), ["Still loading", "Logged out"]);
  assert.equal(await first.page.locator(".badge").count(), 0, "no badge while logged out");
  await signUpWithEmailCode(first.page, demo, ada);
  await showsAuth(first.page, "Logged in");
  assert.equal(await badgeText(first.page), `Logged in as ${fullName(ada)}`);

  // Another user, made through the Backend API, signs in with a password in a second context.
  await createUser(demo, grace);
  const second = await openChat(browser, demo);
  t.after(() => second.context.close());
  await showsAuth(second.page, "Logged out");
  await signInWithPassword(second.page, grace);
  await showsAuth(second.page, "Logged in");
  assert.equal(await badgeText(second.page), `Logged in as ${fullName(grace)}`);
  assert.deepEqual(await shownMessages(second.page), [], "a fresh app has no messages");

  // A message from one page appears live on the other, authored by the sender's identity.
  await sendMessage(first.page, "Hello from Ada");
  await seesMessage(second.page, fullName(ada), "Hello from Ada");
  await sendMessage(second.page, "Hi Ada, Grace here");
  await seesMessage(first.page, fullName(grace), "Hi Ada, Grace here");
  assert.deepEqual(await shownMessages(first.page), [
    "Ada Lovelace: Hello from Ada",
    "Grace Hopper: Hi Ada, Grace here",
  ]);

  // The server named the authors from ctx.auth and linked each to its own row in `users`.
  const stored = await new ConvexHttpClient(demo.backendUrl).query(listMessages, {});
  assert.deepEqual(
    stored.map((m) => m.author),
    [fullName(ada), fullName(grace)],
  );
  assert.ok(
    stored.every((m) => typeof m.authorId === "string"),
    "each message points at its author's users row",
  );
  assert.notEqual(stored[0]!.authorId, stored[1]!.authorId);

  // A reload keeps the session: the same user, never the logged-out view.
  await first.page.reload();
  await showsAuth(first.page, "Logged in");
  assert.equal(await badgeText(first.page), `Logged in as ${fullName(ada)}`);
  assert.ok(
    !(await authStates(first.page)).includes("Logged out"),
    `states after reload: ${await authStates(first.page)}`,
  );
  await seesMessage(first.page, fullName(grace), "Hi Ada, Grace here");

  // Sign out ends the session (a reload stays logged out); the other user is unaffected.
  await first.page.getByRole("button", { name: "Sign out", exact: true }).click();
  await showsAuth(first.page, "Logged out");
  assert.equal(await first.page.locator(".badge").count(), 0);
  assert.equal(await first.page.getByRole("textbox", { name: "Message" }).count(), 0, "no send form once logged out");
  await first.page.reload();
  await showsAuth(first.page, "Logged out");
  assert.equal(await badgeText(second.page), `Logged in as ${fullName(grace)}`);
  await sendMessage(second.page, "Still here");
  await seesMessage(first.page, fullName(grace), "Still here");

  assert.deepEqual(first.errors, [], "no uncaught errors on the first page");
  assert.deepEqual(second.errors, [], "no uncaught errors on the second page");
});

test(
  `a page left open for ${OPEN_FOR_MS / 1000} s (${TOKEN_LIFETIME_S} s tokens) keeps its live updates and its identity`,
  { timeout: OPEN_FOR_MS + 60_000 },
  async (t) => {
    const demo = await demoFor(t, ["--session-token-lifetime", String(TOKEN_LIFETIME_S)]);
    const ada = newPerson("Ada", "Lovelace");
    await createUser(demo, ada);

    let mints: Mint[] = [];
    const chat = await openChat(browser, demo, (page) => (mints = recordMints(page)));
    t.after(() => chat.context.close());
    await signInWithPassword(chat.page, ada);
    await showsAuth(chat.page, "Logged in");
    await sendMessage(chat.page, "before");
    await seesMessage(chat.page, fullName(ada), "before");
    const openedAt = Date.now();

    // Another client writes every few seconds; each message must reach the open page live.
    const other = new ConvexHttpClient(demo.backendUrl);
    for (let tick = 1; Date.now() - openedAt < OPEN_FOR_MS; tick++) {
      await new Promise((done) => setTimeout(done, TICK_MS));
      await other.mutation(sendAnonymous, { body: `tick ${tick}`, author: "Ticker" });
      await seesMessage(chat.page, "Ticker", `tick ${tick}`, 5_000);
    }

    // Past the first token's expiry the server still knows who sends.
    await sendMessage(chat.page, "after");
    await seesMessage(chat.page, fullName(ada), "after");
    const stored = await other.query(listMessages, {});
    assert.equal(stored.at(-1)?.author, fullName(ada));
    assert.equal(typeof stored.at(-1)?.authorId, "string");

    // The page ran on tokens of that lifetime and replaced each before it expired.
    assert.ok(mints.length >= 2, `expected a refreshed token, saw ${JSON.stringify(mints)}`);
    assert.ok(
      mints.every((m) => m.exp - m.iat === TOKEN_LIFETIME_S),
      JSON.stringify(mints),
    );
    assert.ok(mints[0]!.exp * 1000 < Date.now(), "the page outlived its first token");
    const gaps = mints.slice(1).map((m, i) => m.iat - mints[i]!.iat);
    assert.ok(
      gaps.every((gap) => gap < TOKEN_LIFETIME_S),
      `each token was replaced before it expired: ${JSON.stringify(mints)}`,
    );
    const states = await authStates(chat.page);
    assert.deepEqual(
      states.slice(states.indexOf("Logged in")),
      ["Logged in"],
      `signed in once, never out again: ${states}`,
    );
    assert.deepEqual(chat.errors, []);
  },
);

test(
  "reloading a signed-in page goes from loading to logged in without showing logged out",
  { timeout: 60_000 },
  async (t) => {
    const demo = await demoFor(t);
    const ada = newPerson("Ada", "Lovelace");
    await createUser(demo, ada);
    const chat = await openChat(browser, demo);
    t.after(() => chat.context.close());
    await signInWithPassword(chat.page, ada);
    await showsAuth(chat.page, "Logged in");

    for (let reload = 1; reload <= 3; reload++) {
      await chat.page.reload();
      await showsAuth(chat.page, "Logged in");
      // Let a late flip to the logged-out view show itself before reading the record.
      await new Promise((done) => setTimeout(done, 1_000));
      assert.deepEqual(await authStates(chat.page), ["Still loading", "Logged in"], `reload ${reload}`);
      assert.equal(await badgeText(chat.page), `Logged in as ${fullName(ada)}`);
    }
    assert.deepEqual(chat.errors, []);
  },
);
