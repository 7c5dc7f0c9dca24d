/** Lockout, rate limits (429 + Retry-After), and no secrets in logs. */
import assert from "node:assert/strict";
import { createClerkClient } from "@clerk/backend";
import { createLogger } from "@tandem/shared";
import { dbTest } from "./support/targets.js";
import { FapiClient, bapi } from "./support/fapi-client.js";
import { signIn, signUp, PASSWORD } from "./support/flows.js";

dbTest("10 failed passwords lock the account for an hour; BAPI unlock lifts it", async (t, startTestServer) => {
  const server = await startTestServer({ security: { perIdentifierLimit: false, perIpLimit: false } });
  t.after(() => server.stop());
  await signUp(new FapiClient(server.url, "header"), server, "lock@example.com");
  const c = new FapiClient(server.url, "header");
  for (let i = 1; i <= 9; i++)
    assert.equal(
      (await signIn(c, "lock@example.com", `wrong password ${i}`)).body.errors[0].code,
      "form_password_incorrect",
    );
  const tenth = await signIn(c, "lock@example.com", "wrong password 10");
  assert.equal(tenth.status, 403);
  assert.equal(tenth.body.errors[0].code, "user_locked");
  assert.equal(tenth.body.errors[0].meta.lockout_expires_in_seconds, 3600);
  const right = await signIn(c, "lock@example.com", PASSWORD);
  assert.equal(right.status, 403, "even the right password is refused while locked");
  assert.equal(right.body.errors[0].code, "user_locked");
  assert.ok(Number(right.headers.get("retry-after")) > 3500);

  const users = (await bapi(server.url, server.secretKey, "GET", "/users")).body;
  assert.equal(users[0].locked, true);
  assert.equal(users[0].verification_attempts_remaining, 0);
  await bapi(server.url, server.secretKey, "POST", `/users/${users[0].id}/unlock`);
  assert.equal((await signIn(c, "lock@example.com", PASSWORD)).body.response.status, "complete");
});

dbTest(
  "an administrator's unlock (clerk.users.unlockUser) also lets the user past the per-identifier limit at once",
  async (t, startTestServer) => {
    const server = await startTestServer({
      security: { maxFailedAttempts: 3, perIpLimit: false, perIdentifierLimit: { limit: 4, windowSeconds: 60 } },
    });
    t.after(() => server.stop());
    await signUp(new FapiClient(server.url, "header"), server, "unlock.me@example.com", { username: "unlockme" });
    const c = new FapiClient(server.url, "header");
    await signIn(c, "unlock.me@example.com", "bad password 1");
    await signIn(c, "unlock.me@example.com", "bad password 2");
    assert.equal((await signIn(c, "unlock.me@example.com", "bad password 3")).body.errors[0].code, "user_locked");
    assert.equal(
      (await signIn(c, "unlock.me@example.com", PASSWORD)).body.errors[0].code,
      "user_locked",
      "four attempts: the window is full",
    );
    for (let i = 0; i < 4; i++) await signIn(c, "unlockme", "bad username try");
    assert.equal((await signIn(c, "UNLOCKME", PASSWORD)).status, 429, "the username's window is full too");

    const clerk = createClerkClient({ secretKey: server.secretKey, apiUrl: `${server.url}/backend` });
    const [user] = (await clerk.users.getUserList()).data;
    const unlocked = await clerk.users.unlockUser(user!.id);
    assert.equal(unlocked.locked, false);
    const byEmail = await signIn(c, "Unlock.Me@example.com", PASSWORD);
    assert.equal(byEmail.status, 200, JSON.stringify(byEmail.body));
    assert.equal(byEmail.body.response.status, "complete");
    await c.call("DELETE", "/v1/client/sessions");
    assert.equal((await signIn(c, "unlockme", PASSWORD)).body.response.status, "complete", "and by username");
  },
);

dbTest("a lockout expires by itself (configurable attempts and duration)", async (t, startTestServer) => {
  let now = Date.now();
  const server = await startTestServer({
    clock: () => now,
    security: { maxFailedAttempts: 3, lockoutSeconds: 1, perIdentifierLimit: false },
  });
  t.after(() => server.stop());
  await signUp(new FapiClient(server.url, "header"), server, "short@example.com");
  const c = new FapiClient(server.url, "header");
  await signIn(c, "short@example.com", "bad password 1");
  await signIn(c, "short@example.com", "bad password 2");
  assert.equal((await signIn(c, "short@example.com", "bad password 3")).body.errors[0].code, "user_locked");
  assert.equal((await signIn(c, "short@example.com", PASSWORD)).body.errors[0].code, "user_locked");
  now += 1100;
  assert.equal((await signIn(c, "short@example.com", PASSWORD)).body.response.status, "complete");
  // The counter restarted: one failure does not re-lock.
  await c.call("DELETE", "/v1/client/sessions");
  assert.equal((await signIn(c, "short@example.com", "bad again!")).body.errors[0].code, "form_password_incorrect");
});

dbTest("wrong e-mail codes count toward the lockout and burn the code", async (t, startTestServer) => {
  const server = await startTestServer({ security: { perIdentifierLimit: false } });
  t.after(() => server.stop());
  await signUp(new FapiClient(server.url, "header"), server, "codes@example.com");
  const c = new FapiClient(server.url, "header");
  const id = (await c.post("/v1/client/sign_ins", { identifier: "codes@example.com" })).body.response.id;
  await c.post(`/v1/client/sign_ins/${id}/prepare_first_factor`, { strategy: "email_code" });
  const code = (await server.inbox())[0]!.code!;
  const wrong = code === "123456" ? "654321" : "123456";
  for (let i = 0; i < 5; i++)
    assert.equal(
      (await c.post(`/v1/client/sign_ins/${id}/attempt_first_factor`, { strategy: "email_code", code: wrong })).body
        .errors[0].code,
      "form_code_incorrect",
    );
  const used = await c.post(`/v1/client/sign_ins/${id}/attempt_first_factor`, { strategy: "email_code", code });
  assert.equal(used.body.errors[0].code, "verification_failed", "five wrong tries use the code up");
  const u = (await bapi(server.url, server.secretKey, "GET", "/users")).body[0];
  assert.equal(u.verification_attempts_remaining, 5);
});

dbTest("per-IP rate limit answers 429 with Retry-After", async (t, startTestServer) => {
  const server = await startTestServer({ security: { perIpLimit: { limit: 3, windowSeconds: 10 } } });
  t.after(() => server.stop());
  const c = new FapiClient(server.url, "header");
  for (let i = 0; i < 3; i++) assert.equal((await signIn(c, `nobody${i}@example.com`)).status, 422);
  const limited = await signIn(c, "nobody@example.com");
  assert.equal(limited.status, 429);
  assert.equal(limited.body.errors[0].code, "too_many_requests");
  const after = Number(limited.headers.get("retry-after"));
  assert.ok(after >= 1 && after <= 10);
});

dbTest("per-identifier rate limit is independent of the IP limit", async (t, startTestServer) => {
  const server = await startTestServer({
    security: { perIpLimit: false, perIdentifierLimit: { limit: 2, windowSeconds: 60 } },
  });
  t.after(() => server.stop());
  await signUp(new FapiClient(server.url, "header"), server, "one@example.com");
  await signUp(new FapiClient(server.url, "header"), server, "two@example.com");
  const c = new FapiClient(server.url, "header");
  await signIn(c, "one@example.com", "bad password 1");
  await signIn(c, "one@example.com", "bad password 2");
  const third = await signIn(c, "one@example.com", PASSWORD);
  assert.equal(third.status, 429);
  assert.ok(third.headers.get("retry-after"));
  assert.equal((await signIn(c, "two@example.com", PASSWORD)).body.response.status, "complete");
});

dbTest("no password, code, token or key reaches the log", async (t, startTestServer) => {
  const lines: string[] = [];
  const logger = createLogger("test", { level: "debug", write: (l) => lines.push(l) });
  const server = await startTestServer({ logger });
  t.after(() => server.stop());
  const c = new FapiClient(server.url, "header");
  const sid = await signUp(c, server, "quiet@example.com");
  await signIn(new FapiClient(server.url, "header"), "quiet@example.com", "the wrong password");
  const jwt = (await c.post(`/v1/client/sessions/${sid}/tokens`)).body.jwt as string;
  await c.post("/v1/client/sign_ins?__clerk_db_jwt=secretquery", { identifier: "quiet@example.com" });
  const code = (await server.inbox())[0]!.code!;
  const log = lines.join("\n");
  assert.ok(lines.length > 3, "the flow was logged");
  for (const secret of [
    PASSWORD,
    "the wrong password",
    code,
    c.token!,
    c.token!.split(".")[1]!,
    jwt,
    jwt.split(".")[2]!,
    server.secretKey,
    "secretquery",
  ])
    assert.ok(!log.includes(secret), `log leaks ${secret.slice(0, 6)}…`);
});
