/**
 * `tandem dev` passes the sign-in factor settings to the identity service: `--oauth acme` with its
 * client id, secret and issuer from the app's `.env.local`, `--sms-webhook` with the bearer token
 * from the environment (texts reach the relay as well as the dev inbox), and the passkey relying
 * party (`--passkey-rp-id`, `--passkey-origin`). Run as a user runs it, stopped with Ctrl-C.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { cp, mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..", "..");

test("tandem dev: OAuth providers, the SMS relay and the passkey RP from flags, env and .env.local", async (t) => {
  const app = join(await mkdtemp(join(tmpdir(), "tandem-factors-")), "app");
  await cp(join(here, "fixtures", "app"), app, { recursive: true });
  await mkdir(join(app, "node_modules"));
  await symlink(join(repoRoot, "node_modules", "convex"), join(app, "node_modules", "convex"), "dir");
  await writeFile(
    join(app, ".env.local"),
    [
      "TANDEM_OAUTH_ACME_CLIENT_ID=acme-client",
      "TANDEM_OAUTH_ACME_CLIENT_SECRET=acme-secret-from-env-local",
      "TANDEM_OAUTH_ACME_ISSUER=http://127.0.0.1:9",
      "TANDEM_OAUTH_ACME_NAME=Acme ID",
      "",
    ].join("\n"),
  );
  const texts: { auth: string | undefined; body: { to: string; message: string } }[] = [];
  const relay = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      texts.push({ auth: req.headers.authorization, body: JSON.parse(body) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => relay.listen(0, "127.0.0.1", r));
  t.after(() => new Promise<void>((r) => relay.close(() => r())));
  const relayUrl = `http://127.0.0.1:${(relay.address() as { port: number }).port}/sms`;

  const ports = ["--port", "0", "--site-port", "0", "--identity-port", "0", "--dashboard-port", "0"];
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(repoRoot, "packages/cli/src/bin.ts"),
      "dev",
      "--dir",
      app,
      ...ports,
      "--typecheck",
      "disable",
      "--oauth",
      "acme",
      "--sms-webhook",
      relayUrl,
      "--passkey-rp-id",
      "localhost",
      "--passkey-origin",
      "http://localhost:3000",
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, TANDEM_SMS_BEARER_TOKEN: "relay-token", TANDEM_LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    const deadline = Date.now() + 60_000;
    while (!/Running the app's convex CLI/.test(output)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`dev did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(output, /Social sign-in\s+oauth_acme/);
    assert.match(output, /Passkeys\s+RP id localhost, origins http:\/\/localhost:3000/);
    assert.doesNotMatch(output, /acme-secret-from-env-local|relay-token/, "no secret printed");
    const identity = /dev inbox: (\S+)\/dev\/inbox/.exec(output)![1]!;

    // The provider from .env.local is in the Frontend API environment, as clerk-js reads it.
    const env = await (await fetch(`${identity}/v1/environment`)).json();
    assert.equal(env.user_settings.social.oauth_acme.enabled, true);
    assert.equal(env.user_settings.social.oauth_acme.name, "Acme ID");

    // A sign-up's phone code goes to the dev inbox and to the relay, with the bearer token.
    const signUp = await fetch(`${identity}/v1/client/sign_ups?_is_native=1`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email_address: "sam@example.com", phone_number: "+15555550123" }),
    });
    const token = signUp.headers.get("authorization")!;
    const su = (await signUp.json()).response;
    const prep = await fetch(`${identity}/v1/client/sign_ups/${su.id}/prepare_verification?_is_native=1`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: token },
      body: new URLSearchParams({ strategy: "phone_code" }),
    });
    assert.equal(prep.status, 200, await prep.clone().text());
    assert.equal(texts.length, 1);
    assert.equal(texts[0]!.auth, "Bearer relay-token");
    assert.equal(texts[0]!.body.to, "+15555550123");
    assert.match(texts[0]!.body.message, /\d{6}/);

    // Passkeys only for the listed page origin: a call from anywhere else is refused.
    const passkey = await fetch(`${identity}/v1/client/sign_ins?_is_native=1`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ strategy: "passkey" }),
    });
    assert.equal(passkey.status, 403);
    assert.equal((await passkey.json()).errors[0].code, "origin_invalid");
  } finally {
    child.kill("SIGINT");
    assert.equal(await exited, 0, output);
  }
});

test("tandem dev: an --oauth provider without its client secret in the environment is a clear error", async () => {
  const { runCli } = await import("../src/program.js");
  const app = join(await mkdtemp(join(tmpdir(), "tandem-factors-")), "app");
  await cp(join(here, "fixtures", "app"), app, { recursive: true });
  await mkdir(join(app, "node_modules"));
  await symlink(join(repoRoot, "node_modules", "convex"), join(app, "node_modules", "convex"), "dir");
  const out: string[] = [];
  const code = await runCli(
    [
      "dev",
      "--dir",
      app,
      "--port",
      "0",
      "--site-port",
      "0",
      "--identity-port",
      "0",
      "--dashboard-port",
      "0",
      "--oauth",
      "nope",
    ],
    { out: (s) => void out.push(s), err: (s) => void out.push(s) },
  );
  assert.notEqual(code, 0);
  assert.match(out.join("\n"), /TANDEM_OAUTH_NOPE_CLIENT_ID and TANDEM_OAUTH_NOPE_CLIENT_SECRET/);
});
