/**
 * Production instances send e-mail over SMTP (nodemailer, in the background) and keep no inbox;
 * without SMTP a code cannot be sent and the error says so. Also: enumeration protection, sign-up updates, and the
 * session/`me` endpoints not covered by the main flow.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startTestServer } from "./support/server.js";
import { FapiClient } from "./support/fapi-client.js";
import { signIn, signUp, PASSWORD } from "./support/flows.js";
import { smtpSink } from "./support/smtp-sink.js";

test("production: codes go out over SMTP, no inbox", async (t) => {
  const sink = await smtpSink();
  t.after(() => sink.close());
  const server = await startTestServer({
    instance: "production",
    smtp: { host: "127.0.0.1", port: sink.port, from: "Tandem <no-reply@example.com>" },
  });
  t.after(() => server.stop());
  assert.match(server.publishableKey, /^pk_live_/);
  const c = new FapiClient(server.url, "header");
  const su = await c.post("/v1/client/sign_ups", { email_address: "prod@example.com", password: PASSWORD });
  const prep = await c.post(`/v1/client/sign_ups/${su.body.response.id}/prepare_verification`, {
    strategy: "email_code",
  });
  assert.equal(prep.status, 200, JSON.stringify(prep.body));
  // Sent in the background: the answer does not wait for the SMTP server.
  await sink.waitFor(1);
  assert.equal(sink.messages.length, 1);
  assert.match(sink.messages[0]!, /To: prod@example\.com/);
  const code = /verification code is (\d{6})/.exec(sink.messages[0]!)![1]!;
  const done = await c.post(`/v1/client/sign_ups/${su.body.response.id}/attempt_verification`, {
    strategy: "email_code",
    code,
  });
  assert.equal(done.body.response.status, "complete");
  assert.deepEqual(await server.inbox(), []);
  assert.equal((await fetch(`${server.url}/dev/inbox`)).status, 404);
});

test("production without SMTP refuses to send codes clearly", async (t) => {
  const server = await startTestServer({ instance: "production" });
  t.after(() => server.stop());
  const c = new FapiClient(server.url, "header");
  const su = await c.post("/v1/client/sign_ups", { email_address: "nosmtp@example.com", password: PASSWORD });
  const prep = await c.post(`/v1/client/sign_ups/${su.body.response.id}/prepare_verification`, {
    strategy: "email_code",
  });
  assert.equal(prep.status, 503);
  assert.equal(prep.body.errors[0].code, "email_delivery_unavailable");
});

test("enumeration protection: unknown identifiers look like known ones", async (t) => {
  const server = await startTestServer({ security: { enumerationProtection: true } });
  t.after(() => server.stop());
  await signUp(new FapiClient(server.url, "header"), server, "known@example.com");
  const c = new FapiClient(server.url, "header");
  const unknown = await c.post("/v1/client/sign_ins", { identifier: "ghost@example.com" });
  const known = await c.post("/v1/client/sign_ins", { identifier: "known@example.com" });
  assert.equal(unknown.body.response.status, known.body.response.status);
  assert.deepEqual(
    unknown.body.response.supported_first_factors.map((f: any) => f.strategy),
    known.body.response.supported_first_factors.map((f: any) => f.strategy),
  );
  const wrong = await signIn(c, "ghost@example.com", "any password at all");
  assert.equal(wrong.body.errors[0].code, "form_password_incorrect");
  const prep = await c.post(`/v1/client/sign_ins/${unknown.body.response.id}/prepare_first_factor`, {
    strategy: "email_code",
  });
  assert.equal(prep.status, 200);
  assert.equal(
    (await server.inbox()).filter((m) => m.to === "ghost@example.com").length,
    0,
    "nothing is sent to unknown addresses",
  );
});

test("sign-up update, remove session, change password, delete client", async (t) => {
  const server = await startTestServer();
  t.after(() => server.stop());
  const c = new FapiClient(server.url, "header");
  const su = await c.post("/v1/client/sign_ups", { email_address: "first@example.com" });
  assert.deepEqual(su.body.response.missing_fields, ["password"]);
  const id = su.body.response.id;
  const upd = await c.call("PATCH", `/v1/client/sign_ups/${id}`, {
    email_address: "second@example.com",
    password: PASSWORD,
    username: "second_user",
  });
  assert.equal(upd.body.response.email_address, "second@example.com");
  assert.deepEqual(upd.body.response.missing_fields, []);
  await c.post(`/v1/client/sign_ups/${id}/prepare_verification`, { strategy: "email_code" });
  const code = (await server.inbox()).find((m) => m.to === "second@example.com")!.code!;
  const done = await c.post(`/v1/client/sign_ups/${id}/attempt_verification`, { strategy: "email_code", code });
  const sid = done.body.response.created_session_id;
  assert.equal(
    (await signIn(new FapiClient(server.url, "header"), "second_user")).body.response.status,
    "complete",
    "username works as identifier",
  );

  const bad = await c.post("/v1/me/change_password", {
    current_password: "nope nope nope",
    new_password: "another fine passphrase",
  });
  assert.equal(bad.body.errors[0].code, "form_password_incorrect");
  const changed = await c.post("/v1/me/change_password", {
    current_password: PASSWORD,
    new_password: "another fine passphrase",
    sign_out_of_other_sessions: "true",
  });
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
  const removed = await c.post(`/v1/client/sessions/${sid}/remove`);
  assert.equal(removed.body.response.status, "removed");
  assert.equal((await signIn(c, "second@example.com", "another fine passphrase")).body.response.status, "complete");
  const gone = await c.call("DELETE", "/v1/client");
  assert.equal(gone.body.response.sessions.length, 0);
});
