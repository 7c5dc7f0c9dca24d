/**
 * An open-source Convex + Clerk app run unmodified: file-drive (test/fixtures/file-drive, MIT,
 * vendored byte-for-byte). Its `convex/` folder is pushed by the official CLI; its users and
 * organizations reach the `users` table only through Clerk-style webhooks (verified with `svix`
 * in a `"use node"` action called from `http.ts`); then the calls its Next.js components make run
 * through the official ConvexClient as a signed-in user: upload through `generateUploadUrl`, the
 * live file list with `getUrl`, favourites, trash and restore, org access checks, and the cron
 * that empties the trash (files and their stored bytes).
 *
 * The app's `auth.config.ts` names its Clerk issuer literally, so the identity service here issues
 * tokens under that URL, and the backend reaches the issuer's discovery and keys at the identity
 * service's real address (what DNS would do).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConvexClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { ManualClock, startBackend, type Backend } from "@tandem/backend";
import { startIdentity, type TestIdentity } from "../support/identity.js";
import { copyApp, pushApp, type AppCopy } from "../support/app.js";
import { backendApi, passwordSignIn, until } from "../support/app-clients.js";

const api = anyApi;
const ISSUER = "https://poetic-salmon-66.clerk.accounts.dev";
const PASSWORD = "a long enough password";

let identity: TestIdentity;
let backend: Backend;
let app: AppCopy;
let clock: ManualClock;
const clients: ConvexClient[] = [];
const bapi = (method: string, path: string, body?: unknown) => backendApi(identity, method, path, body);
const signIn = (email: string) => passwordSignIn(identity, email, PASSWORD);

function clientAs(token: () => Promise<string>): ConvexClient {
  const c = new ConvexClient(backend.url);
  c.setAuth(token);
  clients.push(c);
  return c;
}

type Me = { _id: string; name: string; tokenIdentifier: string; orgIds: { orgId: string; role: string }[] } | null;
type FileRow = { _id: string; name: string; type: string; url: string | null; shouldDelete?: boolean; userId: string };

before(async () => {
  identity = await startIdentity({ publicUrl: ISSUER });
  clock = new ManualClock();
  backend = await startBackend({
    dataDir: await mkdtemp(join(tmpdir(), "tandem-file-drive-")),
    port: 0,
    sitePort: 0,
    logger: silentLogger,
    clock,
    issuerFetch: (url, init) => fetch(url.replace(ISSUER, identity.url), init),
  });
  app = await copyApp("file-drive", ["svix"]);
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await backend?.close();
  await identity?.stop();
  await app?.remove();
});

test("the unmodified convex/ folder pushes with the official CLI: schema indexes, http.ts, the cron", async () => {
  // As the app's README has it: the webhook endpoint in Clerk, its secret and Clerk's host in the deployment.
  const endpoint = await bapi("POST", "/webhooks/endpoints", { url: `${backend.siteUrl}/clerk` });
  await backend.setEnvironmentVariables({
    CLERK_WEBHOOK_SECRET: endpoint.secret,
    CLERK_HOSTNAME: new URL(ISSUER).host,
  });
  const output = await pushApp(app.dir, { url: backend.url, adminKey: backend.adminKey });
  assert.match(output, /files\.by_orgId\s+orgId/);
  assert.match(output, /favorites\.by_userId_orgId_fileId\s+userId, orgId, fileId/);
  assert.match(output, /users\.by_tokenIdentifier\s+tokenIdentifier/);
  const crons = await fetch(`${backend.url}/api/query`, {
    method: "POST",
    headers: { authorization: `Convex ${backend.adminKey}`, "content-type": "application/json" },
    body: JSON.stringify({ path: "_system/frontend/listCronJobs", args: {}, format: "json" }),
  });
  const listed = ((await crons.json()) as { value: { name: string }[] }).value.map((j) => j.name);
  assert.deepEqual(listed, ["delete any old files marked for deletion"]);
});

test("webhooks fill users and org memberships; the signed-in user uploads, lists, favours, trashes", async () => {
  const ada = await bapi("POST", "/users", {
    email_address: ["ada@example.com"],
    password: PASSWORD,
    first_name: "Ada",
    last_name: "Lovelace",
  });
  const org = await bapi("POST", "/organizations", { name: "Initech", slug: "initech", created_by: ada.id });
  const c = clientAs(await signIn("ada@example.com"));

  // user.created, then organizationMembership.created (the creator is an admin), through /clerk.
  const me = await until<Me>(
    c,
    api.users!.getMe!,
    {},
    (m) => m !== null && m.orgIds.some((o) => o.orgId === org.id),
    "the user row with its org",
  );
  assert.equal(me!.name, "Ada Lovelace");
  assert.equal(me!.tokenIdentifier, `${ISSUER}|${ada.id}`, "the token's tokenIdentifier matches the webhook's");
  assert.deepEqual(me!.orgIds, [{ orgId: org.id, role: "admin" }]);

  // upload-button.tsx: generateUploadUrl, POST the file, createFile with the storage id.
  const live: FileRow[][] = [];
  const stop = c.onUpdate(api.files!.getFiles!, { orgId: org.id }, (f: FileRow[]) => live.push(f));
  const csv = "name,age\nada,36\n";
  const postUrl = (await c.mutation(api.files!.generateUploadUrl!, {})) as string;
  const uploaded = await fetch(postUrl, { method: "POST", headers: { "Content-Type": "text/csv" }, body: csv });
  const { storageId } = (await uploaded.json()) as { storageId: string };
  await c.mutation(api.files!.createFile!, { name: "ages", fileId: storageId, orgId: org.id, type: "csv" });
  const [file] = await until<FileRow[]>(c, api.files!.getFiles!, { orgId: org.id }, (f) => f.length === 1, "the file");
  assert.equal(file!.name, "ages");
  const download = await fetch(file!.url!);
  assert.equal(download.headers.get("content-type"), "text/csv");
  assert.equal(await download.text(), csv, "getUrl serves the uploaded bytes");
  assert.ok(
    live.some((f) => f.length === 1),
    "the open getFiles subscription saw the new file",
  );
  stop();
  assert.deepEqual(await c.query(api.users!.getUserProfile!, { userId: file!.userId }), {
    name: "Ada Lovelace",
    image: "",
  });
  // The personal workspace: the org id is the user id (hasAccessToOrg checks the tokenIdentifier).
  const mine = (await c.mutation(api.files!.generateUploadUrl!, {})) as string;
  const png = await fetch(mine, {
    method: "POST",
    headers: { "Content-Type": "image/png" },
    body: new Uint8Array([137, 80]),
  });
  const pngId = ((await png.json()) as { storageId: string }).storageId;
  await c.mutation(api.files!.createFile!, { name: "me.png", fileId: pngId, orgId: ada.id, type: "image" });
  assert.deepEqual(
    ((await c.query(api.files!.getFiles!, { orgId: ada.id, type: "image" })) as FileRow[]).map((f) => f.name),
    ["me.png"],
  );

  await c.mutation(api.files!.toggleFavorite!, { fileId: file!._id });
  assert.equal(((await c.query(api.files!.getFiles!, { orgId: org.id, favorites: true })) as FileRow[]).length, 1);
  assert.equal(((await c.query(api.files!.getAllFavorites!, { orgId: org.id })) as unknown[]).length, 1);
  assert.equal(((await c.query(api.files!.getFiles!, { orgId: org.id, query: "AG" })) as FileRow[]).length, 1);
  assert.equal(((await c.query(api.files!.getFiles!, { orgId: org.id, query: "zzz" })) as FileRow[]).length, 0);

  await c.mutation(api.files!.deleteFile!, { fileId: file!._id });
  assert.equal(((await c.query(api.files!.getFiles!, { orgId: org.id })) as FileRow[]).length, 0);
  assert.equal(((await c.query(api.files!.getFiles!, { orgId: org.id, deletedOnly: true })) as FileRow[]).length, 1);
  await c.mutation(api.files!.restoreFile!, { fileId: file!._id });
  assert.equal(((await c.query(api.files!.getFiles!, { orgId: org.id })) as FileRow[]).length, 1);

  // Another user, not a member: no files, and createFile is refused with the app's ConvexError.
  await bapi("POST", "/users", { email_address: ["bob@example.com"], password: PASSWORD, first_name: "Bob" });
  const bob = clientAs(await signIn("bob@example.com"));
  await until<Me>(bob, api.users!.getMe!, {}, (m) => m !== null, "bob's user row");
  assert.deepEqual(await bob.query(api.files!.getFiles!, { orgId: org.id }), []);
  await assert.rejects(
    bob.mutation(api.files!.createFile!, { name: "x", fileId: storageId, orgId: org.id, type: "csv" }),
    (e: Error & { data?: unknown }) => e.data === "you do not have access to this org",
  );
  await assert.rejects(
    bob.mutation(api.files!.deleteFile!, { fileId: file!._id }),
    (e: Error & { data?: unknown }) => e.data === "no access to file",
  );

  // user.updated renames the row, live.
  await bapi("PATCH", `/users/${ada.id}`, { last_name: "Byron" });
  await until<Me>(c, api.users!.getMe!, {}, (m) => m?.name === "Ada Byron", "user.updated");

  // The trash cron (every minute) deletes marked files and their bytes.
  await c.mutation(api.files!.deleteFile!, { fileId: file!._id });
  const url = file!.url!;
  assert.equal((await fetch(url)).status, 200);
  await backend.scheduler.settled();
  clock.advance(60_000);
  const deadline = Date.now() + 20_000;
  while ((await fetch(url)).status !== 404) {
    assert.ok(Date.now() < deadline, "the cron deleted the stored file");
    await new Promise((r) => setTimeout(r, 50));
  }
});
