/**
 * End to end, offline: a convex-demos style app (`convex/http.ts` verifies with `svix` and upserts
 * users) filled by Tandem's own webhooks. `tandem dev --once --webhook /clerk-users-webhook` pushes
 * the app and connects the endpoint; a restart on other ports moves the endpoint; users created,
 * updated and deleted through the Backend API reach the `users` table. Then `tandem webhooks`.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { runCli } from "../src/program.js";
import { startServices, type Services } from "../src/services.js";
import { connectDevWebhook } from "../src/commands/webhooks.js";
import { identityCall } from "../src/identity-api.js";
import { exitCodeOf, findConvexCli, spawnConvex } from "../src/convex-cli.js";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..", "..");
let app: string;
const out: string[] = [];
const io = { out: (t: string) => void out.push(t), err: (t: string) => void out.push(t) };
let services: Services | null = null;
let client: ConvexClient | null = null;

before(async () => {
  app = join(await mkdtemp(join(tmpdir(), "tandem-webhook-")), "app");
  await cp(join(here, "fixtures", "webhook-app"), app, { recursive: true });
  await mkdir(join(app, "node_modules"));
  for (const pkg of ["convex", "svix"])
    await symlink(join(repoRoot, "node_modules", pkg), join(app, "node_modules", pkg), "dir");
});

after(async () => {
  await client?.close();
  await services?.close();
});

type Row = { name: string; externalId: string };

/** Resolves when the live `users:list` satisfies `pred` (a subscription, no polling). */
function usersUntil(c: ConvexClient, pred: (rows: Row[]) => boolean, what: string): Promise<Row[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out waiting for ${what}`));
    }, 20_000);
    const unsubscribe = c.onUpdate(anyApi.users!.list!, {}, (rows: Row[]) => {
      if (!pred(rows)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(rows);
    });
  });
}

test("tandem dev --webhook: the app's svix-verified HTTP action keeps its users table in step", async () => {
  const ports = [
    "--port",
    "0",
    "--site-port",
    "0",
    "--identity-port",
    "0",
    "--dashboard-port",
    "0",
    "--typecheck",
    "disable",
  ];
  const code = await runCli(["dev", "--dir", app, "--once", "--webhook", "/clerk-users-webhook", ...ports], io);
  assert.equal(code, 0, out.join("\n"));
  assert.match(
    out.join("\n"),
    /Webhooks\s+http:\/\/127\.0\.0\.1:\d+\/clerk-users-webhook\s+secret in deployment env var CLERK_WEBHOOK_SECRET/,
  );
  assert.doesNotMatch(out.join("\n"), /whsec_/, "the secret is not printed");

  // What `tandem dev` does on its next start (here on new ports): the endpoint follows.
  services = await startServices({
    dataDir: join(app, ".tandem"),
    host: "127.0.0.1",
    port: 0,
    sitePort: 0,
    identityPort: 0,
    dashboardPort: 0,
    instance: "development",
    logger: silentLogger,
  });
  const { backend, identity } = services;
  await connectDevWebhook("/clerk-users-webhook", identity, backend);
  // …and its push, so auth.config.ts picks up the identity service's new address.
  const push = spawnConvex(findConvexCli(app)!, ["dev", "--once", "--typecheck", "disable"], {
    cwd: app,
    deployment: { url: backend.url, adminKey: backend.adminKey },
  });
  assert.equal(await exitCodeOf(push), 0);
  const endpoints = (await identityCall(identity, "GET", "/webhooks/endpoints")).data;
  assert.equal(endpoints.length, 1, "the endpoint of the earlier run was replaced");
  assert.equal(endpoints[0].url, `${backend.siteUrl}/clerk-users-webhook`);
  const secret = (await identityCall(identity, "GET", `/webhooks/endpoints/${endpoints[0].id}`)).secret;
  assert.equal(backend.environmentVariables().CLERK_WEBHOOK_SECRET, secret);

  client = new ConvexClient(backend.url);
  const ada = await identityCall(identity, "POST", "/users", {
    email_address: ["ada@example.com"],
    first_name: "Ada",
    last_name: "Lovelace",
  });
  await usersUntil(
    client,
    (rows) => rows.some((r) => r.externalId === ada.id && r.name === "Ada Lovelace"),
    "user.created",
  );
  await identityCall(identity, "PATCH", `/users/${ada.id}`, { last_name: "Byron" });
  await usersUntil(
    client,
    (rows) => rows.some((r) => r.externalId === ada.id && r.name === "Ada Byron"),
    "user.updated",
  );
  await identityCall(identity, "DELETE", `/users/${ada.id}`);
  await usersUntil(client, (rows) => rows.length === 0, "user.deleted");

  const log = (await identityCall(identity, "GET", `/webhooks/endpoints/${endpoints[0].id}/deliveries`)).data as Array<{
    status: string;
    event_type: string;
  }>;
  assert.deepEqual(log.map((d) => [d.event_type, d.status]).reverse(), [
    ["user.created", "succeeded"],
    ["user.updated", "succeeded"],
    ["user.deleted", "succeeded"],
  ]);
});

test("a Convex function sees the active organization through ctx.auth.getUserIdentity()", async () => {
  assert.ok(services, "the first test started the services");
  const { backend, identity } = services;
  const password = "a long enough password";
  const user = await identityCall(identity, "POST", "/users", {
    email_address: ["org-admin@example.com"],
    password,
    first_name: "Olga",
  });
  const org = await identityCall(identity, "POST", "/organizations", {
    name: "Initech",
    slug: "initech",
    created_by: user.id,
  });
  // The Frontend API calls clerk-js makes: sign in, then setActive({ organization }) = touch.
  const fapi = async (path: string, body: Record<string, string>, token?: string) => {
    const res = await fetch(`${identity.url}${path}?_is_native=1`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...(token ? { authorization: token } : {}) },
      body: new URLSearchParams(body).toString(),
    });
    return { token: res.headers.get("authorization") ?? token, body: (await res.json()) as any };
  };
  const signIn = await fapi("/v1/client/sign_ins", {
    identifier: "org-admin@example.com",
    password,
    strategy: "password",
  });
  const sid = signIn.body.response.created_session_id as string;
  await fapi(`/v1/client/sessions/${sid}/touch`, { active_organization_id: org.id }, signIn.token!);
  const jwt = (await fapi(`/v1/client/sessions/${sid}/tokens`, {}, signIn.token!)).body.jwt as string;

  const http = new ConvexHttpClient(backend.url);
  http.setAuth(jwt);
  const who = (await http.query(anyApi.users!.whoami!, {})) as Record<string, unknown>;
  assert.equal(who.subject, user.id);
  assert.equal(who.org_id, org.id);
  assert.equal(who.org_role, "org:admin");
  assert.equal(who.org_slug, "initech");
});

test("tandem webhooks add | list | deliveries | remove, against the identity service named in .env.local", async () => {
  assert.ok(services, "the first test started the services");
  const { identity } = services;
  const flags = ["--dir", app, "--identity-url", identity.url];
  out.length = 0;
  assert.equal(
    await runCli(
      ["webhooks", "add", "http://127.0.0.1:9/elsewhere", "--events", "user.created,session.created", ...flags],
      io,
    ),
    0,
    out.join("\n"),
  );
  const [line, secretLine] = out.at(-1)!.split("\n");
  const id = line!.split(/\s+/)[0]!;
  assert.match(id, /^ep_/);
  assert.match(line!, /user\.created,session\.created/);
  assert.match(secretLine!, /^signing secret: whsec_/);
  out.length = 0;
  assert.equal(await runCli(["webhooks", "list", ...flags], io), 0);
  assert.equal(out.length, 2);
  assert.ok(out.some((l) => l.startsWith(id)));
  assert.equal(await runCli(["webhooks", "deliveries", id, ...flags], io), 0);
  assert.equal(await runCli(["webhooks", "remove", id, ...flags], io), 0);
  assert.equal(await runCli(["webhooks", "remove", id, ...flags], io), 1);
  assert.match(out.at(-1)!, /404 resource_not_found/);
  assert.equal(await runCli(["webhooks", "add", "ftp://x", ...flags], io), 1);
  assert.match(out.at(-1)!, /422 form_param_format_invalid/);
  assert.equal(
    await runCli(["webhooks", "list", "--identity-url", identity.url, "--secret-key", "sk_test_wrong"], io),
    1,
  );
  assert.match(out.at(-1)!, /401 authentication_invalid/);
});
