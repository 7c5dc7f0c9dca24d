/**
 * TOTP and backup codes through the unmodified clerk-js (5 and 6): `user.createTOTP()`, `verifyTOTP`,
 * `createBackupCode()`, `disableTOTP`, and a sign-in that answers `needs_second_factor` until
 * `attemptSecondFactor` passes. Bad input (wrong, short, replayed and reused codes) gets
 * `form_code_incorrect` and changes nothing; repeated failures are capped.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as OTPAuth from "otpauth";
import { startTestServer } from "./support/server.js";
import { FapiClient } from "./support/fapi-client.js";
import { signUp, signIn, PASSWORD } from "./support/flows.js";
import { bootClerk, environmentOf, PAGE_ORIGIN } from "./support/clerk-js.js";

const codeAt = (secret: string, timestamp: number) =>
  new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate({
    timestamp,
  });
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");
const codeOf = (e: any) => e?.errors?.[0]?.code;

for (const pkg of ["clerk-js-5", "clerk-js-6"] as const) {
  test(`${pkg}: TOTP set-up, second-factor sign-in, backup codes once each, disable`, async (t) => {
    // Server time is the real time plus an offset the test moves by whole TOTP steps.
    let offset = 0;
    const clock = () => Date.now() + offset;
    // The per-identifier window is off: this test signs in more often than it allows.
    const server = await startTestServer({
      allowedOrigins: [PAGE_ORIGIN],
      clock,
      security: { perIdentifierLimit: false },
    });
    t.after(() => server.stop());
    await signUp(new FapiClient(server.url, "header"), server, "jane@example.com");

    const { clerk } = bootClerk(pkg, server.publishableKey, server.url);
    await clerk.load({ telemetry: false });
    const settings = environmentOf(clerk).userSettings;
    assert.equal(settings.attributes.authenticator_app.enabled, true, "the environment offers TOTP");
    assert.equal(settings.attributes.backup_code.used_for_second_factor, true);

    const first = await clerk.client.signIn.create({ identifier: "jane@example.com", password: PASSWORD });
    assert.equal(first.status, "complete");
    await clerk.setActive({ session: first.createdSessionId });
    assert.equal(clerk.user.totpEnabled, false);

    const totp = await clerk.user.createTOTP();
    assert.match(totp.secret, /^[A-Z2-7]{32}$/);
    assert.ok(totp.uri.startsWith("otpauth://totp/"), totp.uri);
    assert.ok(totp.uri.includes(`secret=${totp.secret}`));
    assert.equal(totp.verified, false);

    const now = codeAt(totp.secret, clock());
    for (const bad of [wrong(now), "12345", "abcdef", "1234567"])
      await assert.rejects(clerk.user.verifyTOTP({ code: bad }), (e: any) => codeOf(e) === "form_code_incorrect", bad);
    await clerk.user.reload();
    assert.equal(clerk.user.totpEnabled, false, "failed verifications enable nothing");

    const verified = await clerk.user.verifyTOTP({ code: now });
    assert.equal(verified.verified, true);
    assert.equal(verified.backupCodes.length, 10);
    const backup: string[] = verified.backupCodes;
    await clerk.user.reload();
    assert.equal(clerk.user.totpEnabled, true);
    assert.equal(clerk.user.backupCodeEnabled, true);
    assert.equal(clerk.user.twoFactorEnabled, true);
    await clerk.signOut();

    // The password alone no longer signs in.
    const si = await clerk.client.signIn.create({ identifier: "jane@example.com", password: PASSWORD });
    assert.equal(si.status, "needs_second_factor");
    assert.equal(si.createdSessionId, null);
    assert.deepEqual(si.supportedSecondFactors.map((f: any) => f.strategy).sort(), ["backup_code", "totp"]);
    assert.equal(clerk.client.sessions.length, 0);
    // The code that verified the set-up is spent: replaying it fails.
    await assert.rejects(
      clerk.client.signIn.attemptSecondFactor({ strategy: "totp", code: now }),
      (e: any) => codeOf(e) === "form_code_incorrect",
    );
    offset += 30_000;
    const done = await clerk.client.signIn.attemptSecondFactor({
      strategy: "totp",
      code: codeAt(totp.secret, clock()),
    });
    assert.equal(done.status, "complete");
    assert.equal(done.secondFactorVerification.status, "verified");
    await clerk.setActive({ session: done.createdSessionId });
    assert.equal(clerk.user.primaryEmailAddress.emailAddress, "jane@example.com");
    await clerk.signOut();

    // A backup code works once.
    const viaBackup = async (code: string) => {
      const s = await clerk.client.signIn.create({ identifier: "jane@example.com", password: PASSWORD });
      assert.equal(s.status, "needs_second_factor");
      return clerk.client.signIn.attemptSecondFactor({ strategy: "backup_code", code });
    };
    const b1 = await viaBackup(backup[0]!);
    assert.equal(b1.status, "complete");
    await clerk.setActive({ session: b1.createdSessionId });
    await clerk.signOut();
    await assert.rejects(viaBackup(backup[0]!), (e: any) => codeOf(e) === "form_code_incorrect");
    const b2 = await clerk.client.signIn.attemptSecondFactor({
      strategy: "backup_code",
      code: backup[1]!.toUpperCase(),
    });
    assert.equal(b2.status, "complete");
    await clerk.setActive({ session: b2.createdSessionId });

    // A new set replaces the old one.
    const fresh = await clerk.user.createBackupCode();
    assert.equal(fresh.codes.length, 10);
    assert.ok(!fresh.codes.includes(backup[2]));
    await clerk.signOut();
    await assert.rejects(viaBackup(backup[2]!), (e: any) => codeOf(e) === "form_code_incorrect");
    const b3 = await clerk.client.signIn.attemptSecondFactor({ strategy: "backup_code", code: fresh.codes[0] });
    await clerk.setActive({ session: b3.createdSessionId });

    // Disabled: the password alone signs in again, and the backup codes are gone.
    await clerk.user.disableTOTP();
    await clerk.user.reload();
    assert.equal(clerk.user.totpEnabled, false);
    assert.equal(clerk.user.backupCodeEnabled, false);
    await clerk.signOut();
    const plain = await clerk.client.signIn.create({ identifier: "jane@example.com", password: PASSWORD });
    assert.equal(plain.status, "complete");
  });
}

test("second-factor attempts are capped per sign-in and count toward the lockout", async (t) => {
  let now = 1_800_000_000_000;
  const server = await startTestServer({
    clock: () => now,
    security: { maxFailedAttempts: 8, lockoutSeconds: 60, perIdentifierLimit: false },
  });
  t.after(() => server.stop());
  const c = new FapiClient(server.url, "header");
  await signUp(c, server, "sam@example.com");
  const created = await c.post("/v1/me/totp");
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const secret: string = created.body.response.secret;
  assert.equal((await c.post("/v1/me/totp/attempt_verification", { code: codeAt(secret, now) })).status, 200);
  now += 30_000;

  const si = await signIn(c, "sam@example.com");
  assert.equal(si.body.response.status, "needs_second_factor");
  const id = si.body.response.id;
  const attempt = (body: Record<string, string>) => c.post(`/v1/client/sign_ins/${id}/attempt_second_factor`, body);
  assert.equal(codeOf((await attempt({ strategy: "sms_code", code: "123456" })).body), "strategy_for_user_invalid");
  assert.equal(codeOf((await attempt({ strategy: "totp" })).body), "form_param_missing");
  for (let i = 0; i < 5; i++)
    assert.equal(
      codeOf((await attempt({ strategy: "totp", code: wrong(codeAt(secret, now)) })).body),
      "form_code_incorrect",
    );
  // This sign-in is spent: even the right code is refused now, and nothing signed in.
  const capped = await attempt({ strategy: "totp", code: codeAt(secret, now) });
  assert.equal(codeOf(capped.body), "verification_failed");
  assert.equal((await c.get(`/v1/client/sign_ins/${id}`)).body.response.status, "needs_second_factor");

  // A fresh sign-in gets three more tries before the account locks (8 failures in all).
  const again = await signIn(c, "sam@example.com");
  const id2 = again.body.response.id;
  const codes = [];
  for (let i = 0; i < 3; i++)
    codes.push(
      codeOf(
        (
          await c.post(`/v1/client/sign_ins/${id2}/attempt_second_factor`, {
            strategy: "backup_code",
            code: "zzzzzzzz",
          })
        ).body,
      ),
    );
  assert.deepEqual(codes, ["form_code_incorrect", "form_code_incorrect", "user_locked"]);
  const locked = await c.post(`/v1/client/sign_ins/${id2}/attempt_second_factor`, {
    strategy: "totp",
    code: codeAt(secret, now),
  });
  assert.equal(codeOf(locked.body), "user_locked");
  assert.equal((await c.get("/v1/environment")).status, 200, "server up");
});
