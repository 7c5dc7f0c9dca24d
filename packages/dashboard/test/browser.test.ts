/**
 * The dashboard in Chromium (playwright-core): login, the data browser (live, add/edit/delete,
 * schema errors), running a function, the logs, env vars, and users made through `@clerk/backend`.
 * With DASHBOARD_SCREENSHOTS=1 it also saves a PNG of each page under docs/screenshots/.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { createClerkClient } from "@clerk/backend";
import { makeFunctionReference } from "convex/server";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../../../test/e2e/support/browser.js";
import { repoDir } from "../../../test/e2e/support/demo.js";
import { FapiClient } from "../../identity/test/support/fapi-client.js";
import { signUp } from "../../identity/test/support/flows.js";
import { explainRejection } from "@tandem/backend";
import { decodeProtectedHeader } from "jose";
import { ADMIN_KEY, startStack, type Stack } from "./harness.js";

type Task = { _id: string; text: string; done: boolean; priority?: number };
const listTasks = makeFunctionReference<"query", Record<string, never>, Task[]>("tasks:list");
const addTask = makeFunctionReference<"mutation", { text: string }, string>("tasks:add");

const SHOTS = process.env.DASHBOARD_SCREENSHOTS === "1" ? join(repoDir, "docs", "screenshots") : null;

let stack: Stack;
let browser: Browser;
before(async () => {
  [stack, browser] = await Promise.all([startStack(), launchChromium()]);
  if (SHOTS) await mkdir(SHOTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A fresh browser context that records every request the page makes. */
async function open(t: { after(fn: () => Promise<void>): void }): Promise<{ page: Page; requests: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  t.after(() => context.close());
  const page = await context.newPage();
  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(stack.dashboard.url);
  return { page, requests };
}

async function logIn(page: Page): Promise<void> {
  await page.getByLabel("Admin key").fill(ADMIN_KEY);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("navigation", { name: "Dashboard" }).waitFor();
}

async function go(page: Page, name: string): Promise<void> {
  await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name, exact: true }).click();
  await page.getByRole("heading", { level: 1, name, exact: true }).waitFor();
}

async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

function onlySameOrigin(requests: string[]): void {
  const origin = new URL(stack.dashboard.url).origin;
  const elsewhere = requests.filter((u) => !u.startsWith(origin + "/") && !u.startsWith("data:"));
  assert.deepEqual(elsewhere, [], "the page talks to no other origin");
}

test("login: a wrong admin key is refused, the right one opens the dashboard with its navigation", async (t) => {
  const { page, requests } = await open(t);
  await shot(page, "login");
  await page.getByLabel("Admin key").fill("not-the-key");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("alert").filter({ hasText: "not this deployment's admin key" }).waitFor();
  assert.equal(await page.getByRole("navigation", { name: "Dashboard" }).count(), 0);
  await logIn(page);
  const nav = page.getByRole("navigation", { name: "Dashboard" });
  for (const name of [
    "Data",
    "Functions",
    "Logs",
    "Environment variables",
    "Users",
    "Schedules",
    "Files",
    "Sessions",
    "JWT templates",
    "Keys",
    "Dev inbox",
  ]) {
    assert.equal(await nav.getByRole("link", { name, exact: true }).count(), 1, name);
  }
  // Keyboard: Tab from the page start reaches the skip link, then the navigation.
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to content");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Data");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { level: 1, name: "Functions" }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), "main", "focus moves to the new page");
  // The Log in / Log out round trip.
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByLabel("Admin key").waitFor();
  await page.getByLabel("Admin key").fill(ADMIN_KEY);
  await page.getByLabel("Admin key").press("Enter");
  await page.getByRole("navigation", { name: "Dashboard" }).waitFor();
  onlySameOrigin(requests);
});

test("a one-time login link opens the dashboard logged in, and only once", async (t) => {
  const link = stack.dashboard.loginLink();
  const first = await browser.newContext();
  t.after(() => first.close());
  const page = await first.newPage();
  await page.goto(link);
  await page.getByRole("navigation", { name: "Dashboard" }).waitFor();
  assert.ok(!page.url().includes("login="), "the token leaves the address bar");
  const second = await browser.newContext();
  t.after(() => second.close());
  const again = await second.newPage();
  await again.goto(link);
  await again.getByRole("alert").filter({ hasText: "used already" }).waitFor();
  await again.getByLabel("Admin key").waitFor();
});

test("Data: tables by name, documents with their fields, live inserts, add / edit / delete validated by the schema", async (t) => {
  const client = stack.client();
  await client.mutation(addTask, { text: "seeded by a client" });
  const { page, requests } = await open(t);
  const sync = page.waitForEvent("websocket", (ws) => /\/_api\/backend\/api\/[^/]+\/sync$/.test(ws.url()));
  await logIn(page);
  const tables = page.getByRole("navigation", { name: "Tables" });
  await tables.getByRole("button", { name: /^tasks/ }).waitFor();
  await tables.getByRole("button", { name: /^notes/ }).waitFor();
  await tables.getByRole("button", { name: /^tasks/ }).click();
  const docs = page.getByRole("table", { name: "Documents in tasks" });
  await docs.getByRole("cell", { name: '"seeded by a client"', exact: true }).waitFor();
  for (const h of ["_id", "text", "done", "_creationTime"])
    await docs.getByRole("columnheader", { name: h, exact: true }).waitFor();

  // A document inserted by a client shows up without a reload, pushed over the sync WebSocket:
  // the page makes no HTTP request while it waits (it used to poll every second), and the
  // document arrives in a frame of that socket.
  const socket = await sync;
  const frames: string[] = [];
  socket.on("framereceived", (f) => void frames.push(String(f.payload)));
  const apiCalls = () => requests.filter((u) => u.includes("/_api/")).length;
  const quiet = apiCalls();
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(apiCalls(), quiet, "nothing polls while the page is open");
  await client.mutation(addTask, { text: "arrived live" });
  await docs.getByRole("cell", { name: '"arrived live"', exact: true }).waitFor({ timeout: 10_000 });
  assert.equal(apiCalls(), quiet, "no HTTP request brought the new document");
  assert.ok(
    frames.some((f) => f.includes("Transition") && f.includes("arrived live")),
    "the document came in a Transition on the sync socket",
  );
  await tables
    .getByRole("button", { name: /^tasks/ })
    .getByLabel("2 documents")
    .waitFor();

  // Add through the UI; read it back with the official client.
  await page.getByRole("button", { name: "Add document" }).click();
  const editor = page.getByRole("dialog", { name: "Add document to tasks" });
  await editor.getByLabel("Document (JSON)").fill('{"text": "typed in the dashboard", "done": true, "priority": 7}');
  await shot(page, "data-add-document");
  await editor.getByRole("button", { name: "Save" }).click();
  await editor.waitFor({ state: "detached", timeout: 5000 }).catch(async (e) => {
    throw new Error(`${(e as Error).message}\n${await editor.textContent()}`);
  });
  await docs.getByRole("cell", { name: '"typed in the dashboard"', exact: true }).waitFor();
  const added = (await client.query(listTasks, {})).find((d) => d.text === "typed in the dashboard");
  assert.deepEqual([added?.done, added?.priority], [true, 7]);

  // The schema refuses a wrong document; nothing is stored.
  await page.getByRole("button", { name: "Add document" }).click();
  await editor.getByLabel("Document (JSON)").fill('{"text": 42}');
  await editor.getByRole("button", { name: "Save" }).click();
  await editor.getByRole("alert").waitFor();
  assert.match((await editor.getByRole("alert").textContent()) ?? "", /schema|match|done/i);
  await editor.getByRole("button", { name: "Cancel" }).click();
  assert.equal(
    (await client.query(listTasks, {})).some((d) => (d.text as unknown) === 42),
    false,
  );

  // Edit, then delete.
  await docs.getByRole("button", { name: `Edit ${added!._id}` }).click();
  const edit = page.getByRole("dialog", { name: `Edit document ${added!._id}` });
  await edit.getByLabel("Document (JSON)").fill('{"text": "edited in the dashboard", "done": false}');
  await edit.getByRole("button", { name: "Save" }).click();
  await docs.getByRole("cell", { name: '"edited in the dashboard"', exact: true }).waitFor();
  assert.equal((await client.query(listTasks, {})).find((d) => d._id === added!._id)?.text, "edited in the dashboard");
  await shot(page, "data");
  await docs.getByRole("button", { name: `Delete ${added!._id}` }).click();
  await docs.getByRole("button", { name: `Confirm delete ${added!._id}` }).click();
  await docs.getByRole("cell", { name: '"edited in the dashboard"', exact: true }).waitFor({ state: "detached" });
  assert.equal(
    (await client.query(listTasks, {})).some((d) => d._id === added!._id),
    false,
  );

  // Filter by a field.
  await page.getByRole("form", { name: "Filter documents" }).getByLabel("Field").fill("text");
  await page.getByLabel("Value (JSON)").fill('"arrived live"');
  await page.getByRole("button", { name: "Filter", exact: true }).click();
  await docs.getByRole("cell", { name: '"seeded by a client"', exact: true }).waitFor({ state: "detached" });
  await docs.getByRole("cell", { name: '"arrived live"', exact: true }).waitFor();

  // Filter by an index instead: by_text, equal to one value.
  const filters = page.getByRole("form", { name: "Filter documents" });
  await filters.getByRole("button", { name: "Clear filter" }).click();
  await docs.getByRole("cell", { name: '"seeded by a client"', exact: true }).waitFor();
  await filters.getByLabel("Index").selectOption("by_text");
  await filters.getByLabel("text equals (JSON)").fill('"seeded by a client"');
  await filters.getByRole("button", { name: "Filter", exact: true }).click();
  await docs.getByRole("cell", { name: '"arrived live"', exact: true }).waitFor({ state: "detached" });
  await docs.getByRole("cell", { name: '"seeded by a client"', exact: true }).waitFor();

  // Clear a table (two steps); the client sees it empty.
  await page.getByRole("button", { name: "Clear table" }).click();
  await page.getByRole("button", { name: "Confirm clear tasks" }).click();
  await page.getByText("No documents match the filter.").waitFor();
  assert.deepEqual(await client.query(listTasks, {}), []);
  onlySameOrigin(requests);
});

test("Data shows the newest 100 documents of a table; Show more adds the next ones", async (t) => {
  const admin = stack.client();
  (admin as unknown as { setAdminAuth(key: string): void }).setAdminAuth(ADMIN_KEY);
  const documents = Array.from({ length: 130 }, (_, i) => ({ text: `note ${i}` }));
  const added = (await admin.mutation(makeFunctionReference<"mutation">("_system/frontend/addDocument"), {
    table: "notes",
    documents,
  })) as { success: boolean };
  assert.equal(added.success, true);
  const { page } = await open(t);
  await logIn(page);
  await page
    .getByRole("navigation", { name: "Tables" })
    .getByRole("button", { name: /^notes/ })
    .click();
  const docs = page.getByRole("table", { name: "Documents in notes" });
  await docs.getByRole("cell", { name: '"note 129"', exact: true }).waitFor();
  const rows = () =>
    page.evaluate(() => document.querySelectorAll('table[aria-label="Documents in notes"] tbody tr').length);
  assert.equal(await rows(), 100);
  assert.equal(await docs.getByRole("cell", { name: '"note 0"', exact: true }).count(), 0);
  await page.getByRole("button", { name: "Show more" }).click();
  await docs.getByRole("cell", { name: '"note 0"', exact: true }).waitFor();
  assert.equal(await rows(), 130);
  assert.equal(await page.getByRole("button", { name: "Show more" }).count(), 0);
});

test("Functions: every function path listed; Run a query shows its result, a bad call its error", async (t) => {
  await stack.client().mutation(addTask, { text: "for the functions page" });
  const { page } = await open(t);
  await logIn(page);
  await go(page, "Functions");
  const list = page.getByRole("navigation", { name: "Functions list" });
  for (const path of ["tasks:list", "tasks:add", "tasks:whoami", "tasks:tick"])
    await list.getByRole("button", { name: new RegExp(`^${path}`) }).waitFor();
  await list.getByRole("button", { name: /^tasks:list/ }).click();
  const runner = page.getByRole("form", { name: "Run tasks:list" });
  await runner.getByRole("button", { name: "Run" }).click();
  await runner.getByRole("region", { name: "Result" }).getByText("for the functions page").waitFor();
  await shot(page, "functions");

  await list.getByRole("button", { name: /^tasks:add/ }).click();
  const add = page.getByRole("form", { name: "Run tasks:add" });
  await add.getByLabel("Arguments (JSON)").fill('{"text": 5}');
  await add.getByRole("button", { name: "Run" }).click();
  await add.getByRole("alert").waitFor();
  assert.match((await add.getByRole("alert").textContent()) ?? "", /validator|text/i);

  // As a chosen user.
  await list.getByRole("button", { name: /^tasks:whoami/ }).click();
  const who = page.getByRole("form", { name: "Run tasks:whoami" });
  await who.getByLabel(/Act as user/).fill('{"subject": "user_dashboard", "issuer": "https://example.test"}');
  await who.getByRole("button", { name: "Run" }).click();
  await who.getByRole("region", { name: "Result" }).getByText('"user_dashboard"').waitFor();
});

test("Logs: function executions appear live with their path and duration", async (t) => {
  const { page } = await open(t);
  await logIn(page);
  await go(page, "Logs");
  await stack.client().mutation(addTask, { text: "logged" });
  const table = page.getByRole("table", { name: "Function logs" });
  await table
    .getByRole("cell", { name: /tasks(\.js)?:add/ })
    .first()
    .waitFor({ timeout: 20_000 });
  await table
    .getByRole("cell", { name: /^\d+ ms$/ })
    .first()
    .waitFor();
  await shot(page, "logs");
});

test("Environment variables: set, listed, removed", async (t) => {
  const { page } = await open(t);
  await logIn(page);
  await go(page, "Environment variables");
  const form = page.getByRole("form", { name: "Set an environment variable" });
  await form.getByLabel("Name").fill("FROM_DASHBOARD");
  await form.getByLabel("Value").fill("hello");
  await form.getByRole("button", { name: "Set" }).click();
  const table = page.getByRole("table", { name: "Environment variables" });
  await table.getByRole("cell", { name: "FROM_DASHBOARD", exact: true }).waitFor();
  assert.equal(stack.backend.environmentVariables().FROM_DASHBOARD, "hello");
  await shot(page, "environment-variables");
  await table.getByRole("button", { name: "Remove FROM_DASHBOARD" }).click();
  await table.getByRole("cell", { name: "FROM_DASHBOARD", exact: true }).waitFor({ state: "detached" });
  assert.equal(stack.backend.environmentVariables().FROM_DASHBOARD, undefined);
  await form.getByLabel("Name").fill("1bad");
  await form.getByLabel("Value").fill("x");
  await form.getByRole("button", { name: "Set" }).click();
  assert.equal(stack.backend.environmentVariables()["1bad"], undefined);
});

test("Users: a user created through @clerk/backend is found by Search; create, ban, lock and delete from the UI", async (t) => {
  const clerk = createClerkClient({ secretKey: stack.identity.secretKey, apiUrl: `${stack.identity.url}/backend` });
  const ada = await clerk.users.createUser({
    emailAddress: ["ada@example.com"],
    firstName: "Ada",
    lastName: "Lovelace",
  });
  await clerk.users.createUser({ emailAddress: ["grace@example.com"], firstName: "Grace", lastName: "Hopper" });
  const { page } = await open(t);
  await logIn(page);
  await go(page, "Users");
  const table = page.getByRole("table", { name: "Users" });
  await table.getByRole("cell", { name: "grace@example.com", exact: true }).waitFor();
  await page.getByRole("searchbox", { name: "Search" }).fill("ada@");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await table.getByRole("cell", { name: "grace@example.com", exact: true }).waitFor({ state: "detached" });
  await table.getByRole("cell", { name: "Ada Lovelace", exact: true }).waitFor();
  await table.getByRole("cell", { name: ada.id, exact: true }).waitFor();
  // By last name and by id too.
  for (const q of ["hopper", ada.id]) {
    await page.getByRole("searchbox", { name: "Search" }).fill(q);
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await table.getByRole("row").nth(1).waitFor();
    await page.waitForFunction((n) => document.querySelectorAll('table[aria-label="Users"] tbody tr').length === n, 1);
    const email = q === ada.id ? "ada@example.com" : "grace@example.com";
    await table.getByRole("cell", { name: email, exact: true }).waitFor();
  }
  await page.getByRole("searchbox", { name: "Search" }).fill("ada@");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await table.getByRole("cell", { name: "grace@example.com", exact: true }).waitFor({ state: "detached" });

  await table.getByRole("button", { name: "Ban ada@example.com" }).click();
  await table.getByRole("button", { name: "Unban ada@example.com" }).waitFor();
  assert.equal((await clerk.users.getUser(ada.id)).banned, true);
  await table.getByRole("button", { name: "Lock ada@example.com" }).click();
  await table.getByRole("cell", { name: "banned, locked", exact: true }).waitFor();
  assert.equal((await clerk.users.getUser(ada.id)).locked, true);
  await table.getByRole("button", { name: "Unban ada@example.com" }).click();
  await table.getByRole("button", { name: "Unlock ada@example.com" }).click();
  await table.getByRole("cell", { name: "active", exact: true }).waitFor();

  await page.getByRole("searchbox", { name: "Search" }).fill("");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.getByRole("button", { name: "Create user" }).click();
  const dialog = page.getByRole("dialog", { name: "Create user" });
  await dialog.getByLabel("E-mail").fill("linus@example.com");
  await dialog.getByLabel("First name").fill("Linus");
  await dialog.getByRole("button", { name: "Create" }).click();
  await table.getByRole("cell", { name: "linus@example.com", exact: true }).waitFor();
  await shot(page, "users");
  const linus = (await clerk.users.getUserList({ emailAddress: ["linus@example.com"] })).data[0];
  assert.equal(linus?.firstName, "Linus");
  await table.getByRole("button", { name: "Delete linus@example.com" }).click();
  await table.getByRole("button", { name: "Confirm delete linus@example.com" }).click();
  await table.getByRole("cell", { name: "linus@example.com", exact: true }).waitFor({ state: "detached" });
  assert.equal((await clerk.users.getUserList({ emailAddress: ["linus@example.com"] })).totalCount, 0);
});

test("Sessions and JWT templates: a signed-up user's session is listed, its template claims previewed, then revoked", async (t) => {
  const fapi = new FapiClient(stack.identity.url, "header");
  const sessionId = await signUp(fapi, stack.identity as never, "sam@example.com", { first_name: "Sam" });
  const session = await fetch(`${stack.identity.url}/backend/v1/sessions/${sessionId}`, {
    headers: { Authorization: `Bearer ${stack.identity.secretKey}` },
  });
  const userId = ((await session.json()) as { user_id: string }).user_id;
  const { page } = await open(t);
  await logIn(page);
  await go(page, "JWT templates");
  const preview = page.getByRole("form", { name: "Preview claims" });
  await preview.getByLabel("User").selectOption(userId);
  await preview.getByLabel("Template").selectOption("convex");
  await preview.getByRole("button", { name: "Preview" }).click();
  await preview.getByText('"email": "sam@example.com"').waitFor();
  await preview.getByText(`"sub": "${userId}"`).waitFor();

  await go(page, "Sessions");
  await page.getByLabel("User").selectOption(userId);
  const table = page.getByRole("table", { name: "Sessions" });
  await table.getByRole("cell", { name: sessionId, exact: true }).waitFor();
  await table.getByRole("cell", { name: "active", exact: true }).waitFor();
  await shot(page, "sessions");
  await table.getByRole("button", { name: `Revoke ${sessionId}` }).click();
  await table.getByRole("cell", { name: "revoked", exact: true }).waitFor();
  const r = await fetch(`${stack.identity.url}/backend/v1/sessions/${sessionId}`, {
    headers: { Authorization: `Bearer ${stack.identity.secretKey}` },
  });
  assert.equal(((await r.json()) as { status: string }).status, "revoked");

  // Functions can run as this identity user.
  await go(page, "Functions");
  await page
    .getByRole("navigation", { name: "Functions list" })
    .getByRole("button", { name: /^tasks:whoami/ })
    .click();
  const who = page.getByRole("form", { name: "Run tasks:whoami" });
  await who.getByLabel("Act as an identity user").selectOption(userId);
  await who.getByRole("button", { name: "Run" }).click();
  await who.getByRole("region", { name: "Result" }).getByText(`"${userId}"`).waitFor();
});

test("the other pages render: Schedules, Files, Sessions, JWT templates, Keys, Dev inbox, Auth doctor", async (t) => {
  const { page, requests } = await open(t);
  await logIn(page);
  await go(page, "Schedules");
  await page
    .getByRole("table", { name: "Cron jobs" })
    .getByRole("cell", { name: "nightly tick", exact: true })
    .waitFor();
  await shot(page, "schedules");
  await go(page, "Files");
  await page.getByText("No stored files.").waitFor();
  await shot(page, "files");
  await go(page, "Sessions");
  await page.getByLabel("User").waitFor();
  await go(page, "JWT templates");
  const form = page.getByRole("form", { name: "Create a JWT template" });
  await form.getByLabel("Name").fill("convex-extra");
  await form.getByRole("button", { name: "Create template" }).click();
  await page
    .getByRole("table", { name: "JWT templates" })
    .getByRole("cell", { name: "convex-extra", exact: true })
    .waitFor();
  await shot(page, "jwt-templates");
  await go(page, "Keys");
  await page.getByText(stack.identity.publishableKey).waitFor();
  await page.getByRole("table", { name: "Signing keys" }).getByRole("row").nth(1).waitFor();
  assert.equal(await page.getByText(stack.identity.secretKey).count(), 0, "the secret key is not shown");
  await go(page, "Dev inbox");
  await page
    .getByRole("table", { name: "Dev inbox" })
    .or(page.getByText("No messages yet.", { exact: false }))
    .waitFor();
  await shot(page, "dev-inbox");
  // A token the backend refuses shows up with its reason.
  const refused = await fetch(`${stack.backend.url}/api/query`, {
    method: "POST",
    headers: { Authorization: "Bearer not-a-jwt", "Content-Type": "application/json" },
    body: JSON.stringify({ path: "tasks:whoami", args: {}, format: "json" }),
  });
  assert.notEqual(refused.status, 200);
  await go(page, "Auth doctor");
  await page
    .getByRole("table", { name: "Auth providers" })
    .getByRole("cell", { name: stack.identity.issuer, exact: true })
    .waitFor();
  const rejected = page.getByRole("table", { name: "Rejected tokens" });
  await rejected.getByText("malformed", { exact: true }).waitFor();
  // With the cause and the fix `tandem doctor auth` prints for it (the same text, from the backend).
  const { cause, fix } = explainRejection({
    kind: "malformed",
    detail: "The token is not a JWT (three base64url parts with a JSON header and claims).",
  });
  await rejected.getByText(cause, { exact: true }).first().waitFor();
  await rejected.getByRole("cell", { name: fix, exact: true }).first().waitFor();
  await shot(page, "auth-doctor");
  onlySameOrigin(requests);
});

test("Keys: Rotate (after a confirmation) makes a new key sign; the old one stays published", async (t) => {
  const clerk = createClerkClient({ secretKey: stack.identity.secretKey, apiUrl: `${stack.identity.url}/backend` });
  const sessionId = await signUp(
    new FapiClient(stack.identity.url, "header"),
    stack.identity as never,
    "kim@example.com",
  );
  const oldKid = decodeProtectedHeader((await clerk.sessions.getToken(sessionId)).jwt).kid!;
  const jwks = async () =>
    (
      (await (await fetch(`${stack.identity.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> }
    ).keys.map((k) => k.kid);
  const { page, requests } = await open(t);
  await logIn(page);
  await go(page, "Keys");
  const table = page.getByRole("table", { name: "Signing keys" });
  await table.getByRole("row").filter({ hasText: oldKid }).getByRole("cell", { name: "active", exact: true }).waitFor();

  // The first click only asks; "Keep the current key" backs out and nothing changes.
  await page.getByRole("button", { name: "Rotate signing key" }).click();
  await page.getByRole("status").filter({ hasText: "nobody is signed out" }).waitFor();
  await page.getByRole("button", { name: "Keep the current key" }).click();
  assert.deepEqual(await jwks(), [oldKid]);

  await page.getByRole("button", { name: "Rotate signing key" }).click();
  await page.getByRole("button", { name: "Confirm rotate" }).click();
  const status = page.getByRole("status").filter({ hasText: /^New signing key \S+ is active\.$/ });
  await status.waitFor();
  const newKid = /New signing key (\S+) is active/.exec((await status.textContent()) ?? "")![1]!;
  assert.notEqual(newKid, oldKid);
  await table.getByRole("row").filter({ hasText: newKid }).getByRole("cell", { name: "active", exact: true }).waitFor();
  await table
    .getByRole("row")
    .filter({ hasText: oldKid })
    .getByRole("cell", { name: "retired", exact: true })
    .waitFor();
  assert.deepEqual((await jwks()).sort(), [oldKid, newKid].sort());
  assert.equal(decodeProtectedHeader((await clerk.sessions.getToken(sessionId)).jwt).kid, newKid);
  await shot(page, "keys");
  onlySameOrigin(requests);
});
