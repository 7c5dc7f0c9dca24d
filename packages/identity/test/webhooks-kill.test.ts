/**
 * At least once across a `kill -9`: the identity process dies with deliveries pending (failed once,
 * retry scheduled); a new server on the same data delivers each of them exactly once on success.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { startTestServer } from "./support/server.js";
import { bapi } from "./support/fapi-client.js";
import { WebhookReceiver } from "./support/webhook-receiver.js";

const here = dirname(fileURLToPath(import.meta.url));

test("pending deliveries survive kill -9 and arrive once each", async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), "tandem-identity-"));
  const rx = await new WebhookReceiver().start();
  t.after(async () => {
    await rx.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const HOUR = 3_600_000;
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(here, "support", "identity-child.ts"), dataDir, String(2 * HOUR), String(HOUR)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  t.after(() => child.kill("SIGKILL"));
  const first = JSON.parse(
    await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once("line", resolve)),
  ) as { url: string; secretKey: string };

  const ep = await bapi(first.url, first.secretKey, "POST", "/webhooks/endpoints", {
    url: rx.url,
    events: ["user.created", "user.updated"],
  });
  rx.secret = ep.body.secret;
  rx.respond = () => 503;
  const ids: string[] = [];
  for (const email of ["gus@example.com", "hal@example.com", "ivy@example.com"]) {
    const u = await bapi(first.url, first.secretKey, "POST", "/users", { email_address: [email] });
    ids.push(u.body.id);
  }
  await bapi(first.url, first.secretKey, "PATCH", `/users/${ids[0]}`, { first_name: "Gus" });
  await rx.waitFor((r) => r.length === 3, "the three first attempts");
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;

  rx.received.length = 0;
  rx.respond = () => 200;
  const second = await startTestServer({ dataDir, webhookRetryMs: HOUR });
  t.after(() => second.stop());
  await rx.waitFor((r) => r.length === 4, "four deliveries after the restart");
  assert.ok(rx.received.every((r) => r.verified));
  assert.deepEqual(new Set(rx.received.map((r) => r.body.data.id)), new Set(ids));
  assert.deepEqual(
    rx.received.filter((r) => r.body.data.id === ids[0]).map((r) => r.type),
    ["user.created", "user.updated"],
  );
  assert.equal(new Set(rx.received.map((r) => r.svixId)).size, 4, "once each");
  const log = (await bapi(second.url, second.secretKey, "GET", `/webhooks/endpoints/${ep.body.id}/deliveries`)).body;
  assert.deepEqual(
    log.data.map((d: { status: string }) => d.status),
    ["succeeded", "succeeded", "succeeded", "succeeded"],
  );
});
