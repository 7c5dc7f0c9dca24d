/**
 * `tandem dev --once` in an app folder: services on free ports, `.env.local` written (the user's
 * lines kept), the app's official convex CLI pushed (codegen included) and exited 0; the data
 * under APP/.tandem/ serves the push again. Then `tandem env` and `tandem run` against it.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { startBackend, type Backend } from "@tandem/backend";
import { silentLogger } from "@tandem/shared";
import { runCli } from "../src/program.js";
import { readEnvFile } from "../src/deployment.js";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..", "..");
let app: string;
const out: string[] = [];
const io = { out: (t: string) => void out.push(t), err: (t: string) => void out.push(t) };

before(async () => {
  app = join(await mkdtemp(join(tmpdir(), "tandem-cli-")), "app");
  await cp(join(here, "fixtures", "app"), app, { recursive: true });
  await mkdir(join(app, "node_modules"));
  await symlink(join(repoRoot, "node_modules", "convex"), join(app, "node_modules", "convex"), "dir");
  await writeFile(join(app, ".env.local"), "MY_SETTING=keep me\nCONVEX_DEPLOYMENT=dev:some-cloud-deployment\n");
});

let backend: Backend | null = null;
after(async () => {
  await backend?.close();
});

test("tandem dev --once pushes the app with its own convex CLI and exits 0", async () => {
  const code = await runCli(
    [
      "dev",
      "--dir",
      app,
      "--once",
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
    ],
    io,
  );
  assert.equal(code, 0, out.join("\n"));
  const printed = out.join("\n");
  assert.match(printed, /Backend API \+ sync\s+http:\/\/127\.0\.0\.1:\d+/);
  assert.match(printed, /Identity \(issuer\)\s+http:\/\/127\.0\.0\.1:\d+/);
  assert.match(
    printed,
    /Dashboard\s+http:\/\/127\.0\.0\.1:\d+\n\s+one-time login link: http:\/\/127\.0\.0\.1:\d+\/#login=[\w-]{20,}/,
  );
  assert.doesNotMatch(printed, /tandem\|[0-9a-f]{64}/, "the admin key is not printed");
  assert.ok(existsSync(join(app, "convex", "_generated", "api.js")), "codegen ran");
  const env = readEnvFile(join(app, ".env.local"));
  assert.equal(env.MY_SETTING, "keep me");
  assert.equal(env.CONVEX_DEPLOYMENT, undefined);
  for (const name of [
    "CONVEX_URL",
    "VITE_CONVEX_URL",
    "CONVEX_SITE_URL",
    "VITE_CONVEX_SITE_URL",
    "CONVEX_SELF_HOSTED_URL",
    "CONVEX_SELF_HOSTED_ADMIN_KEY",
    "VITE_TANDEM_PUBLISHABLE_KEY",
    "TANDEM_SECRET_KEY",
  ]) {
    assert.ok(env[name], `${name} written`);
  }
  assert.match(env.VITE_TANDEM_PUBLISHABLE_KEY!, /^pk_test_/);
  assert.match(env.TANDEM_SECRET_KEY!, /^sk_test_/);
  assert.ok(existsSync(join(app, ".tandem", "backend")), "data under APP/.tandem");
  assert.equal(await readFile(join(app, ".tandem", ".gitignore"), "utf8"), "*\n");
});

test("the data folder serves the push; tandem env and tandem run talk to it through .env.local", async () => {
  const env = readEnvFile(join(app, ".env.local"));
  // Same admin key as the one tandem dev generated and kept; a new port is fine.
  backend = await startBackend({
    dataDir: join(app, ".tandem", "backend"),
    port: 0,
    sitePort: 0,
    logger: silentLogger,
  });
  assert.equal(backend.adminKey, env.CONVEX_SELF_HOSTED_ADMIN_KEY);
  const client = new ConvexHttpClient(backend.url);
  await client.mutation(anyApi.notes!.add!, { text: "first" });
  assert.deepEqual(await client.query(anyApi.notes!.list!, {}), ["first"]);
  assert.match(
    String(await client.query(anyApi.notes!.issuer!, {})),
    /^http:\/\/127\.0\.0\.1:\d+$/,
    "TANDEM_ISSUER_DOMAIN was set",
  );
  const flags = ["--dir", app, "--url", backend.url];
  out.length = 0;
  assert.equal(await runCli(["env", "set", "GREETING", "hi there", ...flags], io), 0);
  assert.equal(await runCli(["env", "get", "GREETING", ...flags], io), 0);
  assert.equal(out.at(-1), "hi there");
  assert.equal(await runCli(["env", "list", ...flags], io), 0);
  assert.ok(out.includes('GREETING="hi there"'), out.join("\n"));
  assert.ok(out.some((l) => l.startsWith("CLERK_JWT_ISSUER_DOMAIN=http://127.0.0.1:")));
  assert.equal(await runCli(["env", "remove", "GREETING", ...flags], io), 0);
  assert.equal(await runCli(["env", "get", "GREETING", ...flags], io), 1);
  assert.equal(await runCli(["run", "notes:reset", "{}", ...flags], io), 0, "internal functions run as admin");
  assert.equal(await runCli(["run", "notes:list", ...flags], io), 0);
  assert.equal(out.at(-1), "[]");
  assert.equal(await runCli(["run", "notes:nope", ...flags], io), 1);
  assert.match(out.at(-1)!, /Could not find function for 'notes:nope'/);
  assert.equal(await runCli(["env", "set", "X", "1", "--url", backend.url, "--admin-key", "wrong"], io), 1);
  assert.match(out.at(-1)!, /401 BadAdminKey/);
});
