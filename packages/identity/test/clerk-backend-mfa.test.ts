/**
 * The unmodified `@clerk/backend` resets a user's second factors (a lost authenticator):
 * `deleteUserBackupCodes`, `deleteUserTOTP`, `disableUserMFA`; the user JSON it reads reports
 * `totpEnabled`, `backupCodeEnabled` and `twoFactorEnabled`, and the password alone signs in again.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createClerkClient } from "@clerk/backend";
import * as OTPAuth from "otpauth";
import { startTestServer } from "./support/server.js";
import { FapiClient } from "./support/fapi-client.js";
import { signIn, signUp } from "./support/flows.js";

test("@clerk/backend: deleteUserBackupCodes, deleteUserTOTP and disableUserMFA", async (t) => {
  const server = await startTestServer({ security: { perIdentifierLimit: false } });
  t.after(() => server.stop());
  const clerk = createClerkClient({ secretKey: server.secretKey, apiUrl: `${server.url}/backend` });
  const c = new FapiClient(server.url, "header");
  await signUp(c, server, "max@example.com");
  const enable = async (at: number) => {
    const secret = (await c.post("/v1/me/totp")).body.response.secret;
    const code = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate({ timestamp: at });
    assert.equal((await c.post("/v1/me/totp/attempt_verification", { code })).status, 200);
  };
  await enable(Date.now());
  const [user] = (await clerk.users.getUserList({ emailAddress: ["max@example.com"] })).data;
  assert.ok(user);
  assert.equal(user.totpEnabled, true);
  assert.equal(user.backupCodeEnabled, true);
  assert.equal(user.twoFactorEnabled, true);

  assert.deepEqual(await clerk.users.deleteUserBackupCodes(user.id), { user_id: user.id });
  assert.equal((await clerk.users.getUser(user.id)).backupCodeEnabled, false);
  assert.equal((await clerk.users.getUser(user.id)).totpEnabled, true);
  assert.deepEqual(await clerk.users.deleteUserTOTP(user.id), { user_id: user.id });
  assert.equal((await clerk.users.getUser(user.id)).twoFactorEnabled, false);

  await enable(Date.now() + 30_000);
  assert.equal(
    (await signIn(new FapiClient(server.url, "header"), "max@example.com")).body.response.status,
    "needs_second_factor",
  );
  assert.deepEqual(await clerk.users.disableUserMFA(user.id), { user_id: user.id });
  const after = await clerk.users.getUser(user.id);
  assert.equal(after.twoFactorEnabled, false);
  assert.equal(after.backupCodeEnabled, false);
  assert.equal(
    (await signIn(new FapiClient(server.url, "header"), "max@example.com")).body.response.status,
    "complete",
  );
  await assert.rejects(clerk.users.disableUserMFA("user_doesnotexist"), (e: any) => e.status === 404);
});
