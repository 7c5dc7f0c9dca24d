/**
 * An SMTP server that hangs or answers slowly blocks no user (issue 24, item 4): requests that
 * send e-mail codes answer once the message is queued; delivery runs in the background with
 * nodemailer's timeouts, bounded parallelism, retries, and a clear log line when it gives up.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createLogger } from "@tandem/shared";
import { startTestServer } from "./support/server.js";
import { bapi, FapiClient } from "./support/fapi-client.js";
import { signIn, PASSWORD } from "./support/flows.js";
import { hangingSmtpServer, smtpSink } from "./support/smtp-sink.js";

const from = "Tandem <no-reply@example.com>";
const open = { perIpLimit: false, perIdentifierLimit: false } as const;

/** Sign-up with e-mail + password, then ask for the verification code; returns the sign-up id. */
async function signUpAndAskForCode(url: string, email: string) {
  const c = new FapiClient(url, "header");
  const su = await c.post("/v1/client/sign_ups", { email_address: email, password: PASSWORD });
  assert.equal(su.status, 200, JSON.stringify(su.body));
  const prep = await c.post(`/v1/client/sign_ups/${su.body.response.id}/prepare_verification`, {
    strategy: "email_code",
  });
  assert.equal(prep.status, 200, JSON.stringify(prep.body));
  return { c, id: su.body.response.id as string };
}

test("an SMTP server that accepts and never answers holds no sign-up or sign-in", async (t) => {
  const smtp = await hangingSmtpServer();
  // The attempt timeout is far longer than the test: every attempt is still hanging at the end.
  const server = await startTestServer({
    instance: "production",
    smtp: { host: "127.0.0.1", port: smtp.port, from, timeoutMs: 60_000 },
    security: open,
  });
  t.after(async () => {
    await server.stop();
    await smtp.close();
  });
  const existing = await bapi(server.url, server.secretKey, "POST", "/users", {
    email_address: ["known@example.com"],
    password: PASSWORD,
  });
  assert.equal(existing.status, 200, JSON.stringify(existing.body));

  const started = Date.now();
  // Twenty users ask for codes at once, more than the delivery slots (8).
  await Promise.all(Array.from({ length: 20 }, (_, i) => signUpAndAskForCode(server.url, `user${i}@example.com`)));
  // An existing user asks for a sign-in code, another signs in with a password.
  const c = new FapiClient(server.url, "header");
  const si = await c.post("/v1/client/sign_ins", { identifier: "known@example.com" });
  const factor = si.body.response.supported_first_factors.find((f: any) => f.strategy === "email_code");
  const prep = await c.post(`/v1/client/sign_ins/${si.body.response.id}/prepare_first_factor`, {
    strategy: "email_code",
    email_address_id: factor.email_address_id,
  });
  assert.equal(prep.status, 200, JSON.stringify(prep.body));
  assert.equal(
    (await signIn(new FapiClient(server.url, "header"), "known@example.com")).body.response.status,
    "complete",
  );
  const elapsed = Date.now() - started;
  // Before the change, each request waited for the SMTP server: at least nodemailer's greeting
  // timeout (here 60 s) per request.
  assert.ok(elapsed < 30_000, `the requests took ${elapsed} ms`);
  assert.ok(smtp.connections() >= 1, "delivery was attempted");
  assert.ok(smtp.connections() <= 8, `at most 8 messages are sent at once (${smtp.connections()} connections)`);
  assert.equal(smtp.open(), smtp.connections(), "every attempt is still waiting on the server");
});

test("a slow SMTP server delivers every code; the requests do not wait for it", async (t) => {
  // One second per reply: a message takes six round trips.
  const sink = await smtpSink({ delayMs: 1_000 });
  const server = await startTestServer({
    instance: "production",
    smtp: { host: "127.0.0.1", port: sink.port, from },
    security: open,
  });
  t.after(async () => {
    await server.stop();
    await sink.close();
  });
  const users = await Promise.all(
    Array.from({ length: 5 }, (_, i) => signUpAndAskForCode(server.url, `slow${i}@example.com`)),
  );
  assert.equal(sink.messages.length, 0, "every request answered before the first message was through");
  await sink.waitFor(5, 60_000);
  for (const [i, u] of users.entries()) {
    const mail = sink.messages.find((m) => m.includes(`To: slow${i}@example.com`))!;
    const code = /verification code is (\d{6})/.exec(mail)![1]!;
    const done = await u.c.post(`/v1/client/sign_ups/${u.id}/attempt_verification`, { strategy: "email_code", code });
    assert.equal(done.body.response.status, "complete");
  }
});

test("an attempt that times out is retried, then given up with an error in the log", async (t) => {
  const smtp = await hangingSmtpServer();
  const lines: string[] = [];
  const server = await startTestServer({
    instance: "production",
    smtp: { host: "127.0.0.1", port: smtp.port, from, timeoutMs: 300, retryDelaysMs: [100, 100] },
    security: open,
    logger: createLogger("test", { level: "warn", write: (l) => lines.push(l) }),
  });
  t.after(async () => {
    await server.stop();
    await smtp.close();
  });
  await signUpAndAskForCode(server.url, "lost@example.com");
  const end = Date.now() + 30_000;
  while (!lines.some((l) => l.includes("e-mail delivery failed, giving up"))) {
    assert.ok(Date.now() < end, `no give-up logged: ${lines.join("\n")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(smtp.connections(), 3, "one attempt and two retries");
  assert.equal(lines.filter((l) => l.includes("will retry")).length, 2);
  assert.match(
    lines.find((l) => l.includes("giving up"))!,
    /"to":"lost@example.com","attempts":3/,
  );
});
