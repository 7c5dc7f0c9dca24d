/**
 * Webhooks as Clerk sends them through Svix: endpoints through the Backend API, every delivery
 * verified by the `svix` package, user/session/email events with Backend API JSON, event filters,
 * retries with backoff visible in the delivery log, replay with the same `svix-id`, and pending
 * deliveries that survive a restart, in order per user.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dbTest } from "./support/targets.js";
import { FapiClient, bapi } from "./support/fapi-client.js";
import { signUp } from "./support/flows.js";
import { WebhookReceiver } from "./support/webhook-receiver.js";
import { verifyWebhook } from "@clerk/backend/webhooks";

async function addEndpoint(server: { url: string; secretKey: string }, rx: WebhookReceiver, events?: string[]) {
  const r = await bapi(server.url, server.secretKey, "POST", "/webhooks/endpoints", {
    url: rx.url,
    ...(events ? { events } : {}),
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  rx.secret = r.body.secret;
  return r.body as { id: string; url: string; events: string[]; secret: string };
}

dbTest("endpoints: create, list, delete; secret key required; only http(s)", async (t, startTestServer) => {
  const server = await startTestServer();
  t.after(() => server.stop());
  const created = await bapi(server.url, server.secretKey, "POST", "/webhooks/endpoints", {
    url: "http://127.0.0.1:9/hook",
    events: ["user.created"],
  });
  assert.equal(created.status, 200);
  assert.match(created.body.id, /^ep_/);
  assert.match(created.body.secret, /^whsec_[A-Za-z0-9+/=]+$/);
  assert.deepEqual(created.body.events, ["user.created"]);
  const list = await bapi(server.url, server.secretKey, "GET", "/webhooks/endpoints");
  assert.equal(list.body.total_count, 1);
  assert.equal(list.body.data[0].id, created.body.id);
  assert.equal(list.body.data[0].secret, undefined, "the list does not repeat secrets");

  assert.equal((await bapi(server.url, "sk_test_wrong", "GET", "/webhooks/endpoints")).status, 401);
  assert.equal((await fetch(`${server.url}/backend/v1/webhooks/endpoints`)).status, 401);
  for (const url of ["ftp://example.com/x", "not a url", "javascript:alert(1)", "http://user:pw@example.com/"]) {
    const bad = await bapi(server.url, server.secretKey, "POST", "/webhooks/endpoints", { url });
    assert.equal(bad.status, 422, url);
    assert.equal(bad.body.errors[0].meta.param_name, "url");
  }
  const badEvent = await bapi(server.url, server.secretKey, "POST", "/webhooks/endpoints", {
    url: "https://example.com/h",
    events: ["user.exploded"],
  });
  assert.equal(badEvent.status, 422);
  assert.equal(badEvent.body.errors[0].meta.param_name, "events");

  assert.equal(
    (await bapi(server.url, server.secretKey, "DELETE", `/webhooks/endpoints/${created.body.id}`)).body.deleted,
    true,
  );
  assert.equal(
    (await bapi(server.url, server.secretKey, "DELETE", `/webhooks/endpoints/${created.body.id}`)).status,
    404,
  );
  assert.equal((await bapi(server.url, server.secretKey, "GET", "/webhooks/endpoints")).body.total_count, 0);
});

dbTest(
  "user events through the Backend API and sign-up arrive signed, with the user JSON; filters apply",
  async (t, startTestServer) => {
    const server = await startTestServer({ allowedOrigins: ["http://app.test"] });
    const all = await new WebhookReceiver().start();
    const onlyCreated = await new WebhookReceiver().start();
    t.after(async () => {
      await server.stop();
      await all.stop();
      await onlyCreated.stop();
    });
    await addEndpoint(server, all);
    await addEndpoint(server, onlyCreated, ["user.created"]);

    const created = await bapi(server.url, server.secretKey, "POST", "/users", {
      email_address: ["ann@example.com"],
      first_name: "Ann",
    });
    const id = created.body.id;
    await bapi(server.url, server.secretKey, "PATCH", `/users/${id}`, { last_name: "Lee" });
    const afterUpdate = (await bapi(server.url, server.secretKey, "GET", `/users/${id}`)).body;
    await bapi(server.url, server.secretKey, "DELETE", `/users/${id}`);
    await all.waitFor((r) => r.some((x) => x.type === "user.deleted"), "user.deleted");

    assert.ok(
      all.received.every((r) => r.verified),
      "every delivery verifies with svix",
    );
    const [c] = all.ofType("user.created");
    assert.equal(c!.body.object, "event");
    assert.equal(typeof c!.body.timestamp, "number");
    assert.match(c!.body.instance_id, /^ins_/);
    assert.deepEqual(c!.body.data, created.body, "user.created carries GET /users/{id}");
    assert.equal(c!.svixId.startsWith("msg_"), true);
    assert.deepEqual(all.ofType("user.updated")[0]!.body.data, afterUpdate);
    assert.deepEqual(all.ofType("user.deleted")[0]!.body.data, { id, object: "user", deleted: true });
    assert.deepEqual(
      all.received.map((r) => r.type),
      ["user.created", "user.updated", "user.deleted"],
      "a user's events in order",
    );
    // @clerk/backend's own verifier (Standard Webhooks) accepts them too.
    const viaClerk = await verifyWebhook(new Request(all.url, { method: "POST", headers: c!.headers, body: c!.raw }), {
      signingSecret: all.secret,
    });
    assert.equal(viaClerk.type, "user.created");
    assert.equal((viaClerk.data as { id: string }).id, id);
    await assert.rejects(
      verifyWebhook(new Request(all.url, { method: "POST", headers: c!.headers, body: c!.raw + " " }), {
        signingSecret: all.secret,
      }),
    );

    // Sign-up through the Frontend API: user.created, email.created (the code), session.created.
    const c2 = new FapiClient(server.url, "header", "http://app.test");
    const sid = await signUp(c2, server, "bo@example.com", { first_name: "Bo" });
    await all.waitFor((r) => r.some((x) => x.type === "session.created"), "session.created");
    const signedUp = all.ofType("user.created").find((r) => r.body.data.first_name === "Bo")!;
    assert.equal(signedUp.body.data.email_addresses[0].email_address, "bo@example.com");
    assert.equal(all.ofType("session.created")[0]!.body.data.id, sid);
    assert.equal(all.ofType("session.created")[0]!.body.data.user_id, signedUp.body.data.id);
    const mail = all.ofType("email.created")[0]!;
    assert.equal(mail.body.data.to_email_address, "bo@example.com");
    assert.equal(mail.body.data.object, "email");

    // Sign-out ends the session: session.ended.
    await c2.call("DELETE", "/v1/client/sessions");
    await all.waitFor((r) => r.some((x) => x.type === "session.ended"), "session.ended");

    await onlyCreated.waitFor((r) => r.length >= 2, "two user.created");
    assert.deepEqual(
      onlyCreated.received.map((r) => r.type),
      ["user.created", "user.created"],
    );
    assert.ok(onlyCreated.received.every((r) => r.verified));
  },
);

/** An endpoint's delivery log once its newest delivery is no longer pending (5 s at most). */
async function settledDeliveries(server: { url: string; secretKey: string }, endpointId: string): Promise<any> {
  for (const until = Date.now() + 5000; ;) {
    const log = (await bapi(server.url, server.secretKey, "GET", `/webhooks/endpoints/${endpointId}/deliveries`)).body;
    if (log.data[0]?.status !== "pending" || Date.now() > until) return log;
    await new Promise((r) => setTimeout(r, 10));
  }
}

dbTest(
  "a failing receiver gets retries with the same svix-id, then success, in the delivery log; replay re-sends it",
  async (t, startTestServer) => {
    const server = await startTestServer({ webhookRetryMs: 20 });
    const rx = await new WebhookReceiver().start();
    t.after(async () => {
      await server.stop();
      await rx.stop();
    });
    const ep = await addEndpoint(server, rx);
    let failures = 2;
    rx.respond = () => (failures-- > 0 ? 503 : 204);
    await bapi(server.url, server.secretKey, "POST", "/users", { email_address: ["cy@example.com"] });
    await rx.waitFor((r) => r.length === 3, "three attempts");
    assert.equal(new Set(rx.received.map((r) => r.svixId)).size, 1, "one svix-id across retries");
    assert.ok(rx.received.every((r) => r.verified));

    // The receiver has the third attempt before the service has recorded its answer.
    const log = await settledDeliveries(server, ep.id);
    assert.equal(log.total_count, 1);
    const d = log.data[0];
    assert.deepEqual(
      {
        event_id: d.event_id,
        event_type: d.event_type,
        status: d.status,
        attempts: d.attempts,
        last_status_code: d.last_status_code,
      },
      {
        event_id: rx.received[0]!.svixId,
        event_type: "user.created",
        status: "succeeded",
        attempts: 3,
        last_status_code: 204,
      },
    );

    const replay = await bapi(server.url, server.secretKey, "POST", `/webhooks/deliveries/${d.id}/replay`);
    assert.equal(replay.status, 200);
    assert.equal(replay.body.event_id, d.event_id);
    await rx.waitFor((r) => r.length === 4, "the replay");
    assert.equal(rx.received[3]!.svixId, d.event_id, "a replay keeps the event id");
    const after = (await bapi(server.url, server.secretKey, "GET", `/webhooks/endpoints/${ep.id}/deliveries`)).body;
    assert.equal(after.total_count, 2);
    assert.equal(
      (await bapi(server.url, server.secretKey, "POST", "/webhooks/deliveries/atmpt_nope/replay")).status,
      404,
    );
  },
);

dbTest("a receiver that never succeeds ends failed after Svix's number of attempts", async (t, startTestServer) => {
  const server = await startTestServer({ webhookRetryMs: 1 });
  const rx = await new WebhookReceiver().start();
  t.after(async () => {
    await server.stop();
    await rx.stop();
  });
  const ep = await addEndpoint(server, rx);
  rx.respond = () => 500;
  await bapi(server.url, server.secretKey, "POST", "/users", { email_address: ["dora@example.com"] });
  await rx.waitFor((r) => r.length === 8, "eight attempts");
  const d = (await settledDeliveries(server, ep.id)).data[0];
  assert.equal(d.status, "failed");
  assert.equal(d.attempts, 8);
  assert.equal(d.last_status_code, 500);
});

dbTest(
  "pending deliveries survive a restart and arrive once each, a user's events in order",
  async (t, startTestServer) => {
    const dataDir = mkdtempSync(join(tmpdir(), "tandem-identity-"));
    const rx = await new WebhookReceiver().start();
    t.after(async () => {
      await rx.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    // The first run lives two hours in the past, so its one-hour retries are due when the second starts
    // (the second signs with the real time: receivers reject timestamps more than 5 minutes off).
    const first = await startTestServer({
      dataDir,
      clock: () => Date.now() - 2 * 3_600_000,
      webhookRetryMs: 3_600_000,
    });
    await addEndpoint(first, rx);
    rx.respond = () => 503;
    const u = await bapi(first.url, first.secretKey, "POST", "/users", { email_address: ["eve@example.com"] });
    await bapi(first.url, first.secretKey, "PATCH", `/users/${u.body.id}`, { first_name: "Eve" });
    await bapi(first.url, first.secretKey, "POST", "/users", { email_address: ["fay@example.com"] });
    // Only the head of Eve's line is tried (created), Fay's in parallel; both fail and wait an hour
    // (their stale signatures fail verification: the receiver answers 400, a failure all the same).
    await rx.waitFor((r) => r.length === 2, "first attempts");
    await first.stop();

    rx.received.length = 0;
    rx.respond = () => 200;
    const second = await startTestServer({ dataDir, webhookRetryMs: 3_600_000 });
    t.after(() => second.stop());
    await rx.waitFor((r) => r.length === 3, "three deliveries after restart");
    const eve = rx.received.filter((r) => r.body.data.id === u.body.id).map((r) => r.type);
    assert.deepEqual(eve, ["user.created", "user.updated"]);
    assert.equal(new Set(rx.received.map((r) => r.svixId)).size, 3, "once each");
    assert.ok(rx.received.every((r) => r.verified));
  },
);

dbTest("the delivery log forgets finished deliveries after 30 days, keeps pending ones", async (t, startTestServer) => {
  const dataDir = mkdtempSync(join(tmpdir(), "tandem-identity-"));
  const ok = await new WebhookReceiver().start();
  const down = await new WebhookReceiver().start();
  t.after(async () => {
    await ok.stop();
    await down.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const first = await startTestServer({ dataDir, webhookRetryMs: 3_600_000 });
  const good = await addEndpoint(first, ok);
  const bad = await addEndpoint(first, down);
  down.respond = () => 500;
  await bapi(first.url, first.secretKey, "POST", "/users", { email_address: ["old@example.com"] });
  await ok.waitFor((r) => r.length === 1, "the delivery");
  await down.waitFor((r) => r.length === 1, "the failed attempt");
  await first.stop();

  const later = await startTestServer({
    dataDir,
    clock: () => Date.now() + 31 * 24 * 3_600_000,
    webhookRetryMs: 3_600_000,
  });
  t.after(() => later.stop());
  const log = async (id: string) =>
    (await bapi(later.url, later.secretKey, "GET", `/webhooks/endpoints/${id}/deliveries`)).body;
  // Pruning runs as the dispatcher starts, beside the first requests (on Postgres it can land later).
  for (let i = 0; i < 100 && (await log(good.id)).total_count !== 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal((await log(good.id)).total_count, 0, "the succeeded delivery is gone");
  const kept = await log(bad.id);
  assert.equal(kept.total_count, 1, "the pending one stays");
  assert.equal(kept.data[0].status, "pending");
});
