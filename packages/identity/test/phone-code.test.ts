/**
 * Phone numbers and SMS codes (`phone_code`) through the unmodified clerk-js (5 and 6): adding and
 * verifying a number, signing in by a texted code, and the number as the second factor. In
 * production, texts go to the configured HTTP relay (and fail clearly without one).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { startTestServer, type TestServer } from "./support/server.js";
import { FapiClient, bapi } from "./support/fapi-client.js";
import { signIn, signUp, PASSWORD } from "./support/flows.js";
import { bootClerk, environmentOf, PAGE_ORIGIN } from "./support/clerk-js.js";

const PHONE = "+15555550100";
const codeOf = (e: any) => e?.errors?.[0]?.code;

/** The newest text's code for `to`, once there is one not in `seen`. */
async function smsCode(server: TestServer, to: string, seen: Set<string>): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const m = (await server.inbox()).find((x) => x.to === to && x.subject === "SMS");
    if (m?.code && !seen.has(m.code + m.createdAt)) {
      seen.add(m.code + m.createdAt);
      return m.code;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`no text for ${to}`);
}

for (const pkg of ["clerk-js-5", "clerk-js-6"] as const) {
  test(`${pkg}: add and verify a phone number, sign in by SMS code, SMS as the second factor`, async (t) => {
    let offset = 0;
    const server = await startTestServer({
      allowedOrigins: [PAGE_ORIGIN],
      clock: () => Date.now() + offset,
      security: { perIdentifierLimit: false },
    });
    t.after(() => server.stop());
    await signUp(new FapiClient(server.url, "header"), server, "jane@example.com");
    const seen = new Set<string>();
    const { clerk } = bootClerk(pkg, server.publishableKey, server.url);
    await clerk.load({ telemetry: false });
    const phoneAttr = environmentOf(clerk).userSettings.attributes.phone_number;
    assert.equal(phoneAttr.enabled, true);
    assert.deepEqual(phoneAttr.second_factors, ["phone_code"]);
    const s0 = await clerk.client.signIn.create({ identifier: "jane@example.com", password: PASSWORD });
    await clerk.setActive({ session: s0.createdSessionId });

    for (const bad of ["555-0100", "+0123456789", "+1555", "+1555555010012345", "tel:+15555550100"])
      await assert.rejects(
        clerk.user.createPhoneNumber({ phoneNumber: bad }),
        (e: any) => codeOf(e) === "form_param_format_invalid",
        bad,
      );
    const phone = await clerk.user.createPhoneNumber({ phoneNumber: "+1 (555) 555-0100" });
    assert.equal(phone.phoneNumber, PHONE);
    await phone.prepareVerification();
    const code = await smsCode(server, PHONE, seen);
    await assert.rejects(
      phone.attemptVerification({ code: code === "000000" ? "111111" : "000000" }),
      (e: any) => codeOf(e) === "form_code_incorrect",
    );
    const verified = await phone.attemptVerification({ code });
    assert.equal(verified.verification.status, "verified");
    await clerk.user.reload();
    assert.equal(clerk.user.phoneNumbers.length, 1);
    assert.equal(clerk.user.primaryPhoneNumber?.phoneNumber, PHONE);
    assert.equal(clerk.user.twoFactorEnabled, false);
    await clerk.signOut();

    // First factor: the number is the identifier, the code comes by text.
    await assert.rejects(
      clerk.client.signIn.create({ identifier: "+12" }),
      (e: any) => codeOf(e) === "form_param_format_invalid",
    );
    const si = await clerk.client.signIn.create({ identifier: PHONE });
    const factor = si.supportedFirstFactors.find((f: any) => f.strategy === "phone_code");
    assert.ok(factor, "phone_code is offered");
    assert.ok(
      factor.safeIdentifier.endsWith("0100") && !factor.safeIdentifier.includes("555555"),
      factor.safeIdentifier,
    );
    await si.prepareFirstFactor({ strategy: "phone_code", phoneNumberId: factor.phoneNumberId });
    const signInCode = await smsCode(server, PHONE, seen);
    await assert.rejects(
      clerk.client.signIn.attemptFirstFactor({ strategy: "phone_code", code: "12345" }),
      (e: any) => codeOf(e) === "form_code_incorrect",
    );
    const done = await clerk.client.signIn.attemptFirstFactor({ strategy: "phone_code", code: signInCode });
    assert.equal(done.status, "complete");
    await clerk.setActive({ session: done.createdSessionId });
    assert.equal(clerk.user.primaryEmailAddress.emailAddress, "jane@example.com");

    // Second factor: reserved for it, the number is asked after the password.
    await clerk.user.phoneNumbers[0].setReservedForSecondFactor({ reserved: true });
    await clerk.user.reload();
    assert.equal(clerk.user.twoFactorEnabled, true);
    await clerk.signOut();
    const s2 = await clerk.client.signIn.create({ identifier: "jane@example.com", password: PASSWORD });
    assert.equal(s2.status, "needs_second_factor");
    const second = s2.supportedSecondFactors.find((f: any) => f.strategy === "phone_code");
    assert.ok(second);
    await assert.rejects(
      clerk.client.signIn.attemptSecondFactor({ strategy: "phone_code", code: "123456" }),
      (e: any) => codeOf(e) === "verification_missing",
    );
    await s2.prepareSecondFactor({ strategy: "phone_code", phoneNumberId: second.phoneNumberId });
    const mfaCode = await smsCode(server, PHONE, seen);
    await assert.rejects(
      clerk.client.signIn.attemptSecondFactor({
        strategy: "phone_code",
        code: mfaCode === "000000" ? "111111" : "000000",
      }),
      (e: any) => codeOf(e) === "form_code_incorrect",
    );
    const s2done = await clerk.client.signIn.attemptSecondFactor({ strategy: "phone_code", code: mfaCode });
    assert.equal(s2done.status, "complete");
    await clerk.setActive({ session: s2done.createdSessionId });

    // An expired text code is refused.
    await clerk.signOut();
    const s3 = await clerk.client.signIn.create({ identifier: "jane@example.com", password: PASSWORD });
    await s3.prepareSecondFactor({ strategy: "phone_code", phoneNumberId: second.phoneNumberId });
    const late = await smsCode(server, PHONE, seen);
    offset += 11 * 60_000;
    await assert.rejects(
      clerk.client.signIn.attemptSecondFactor({ strategy: "phone_code", code: late }),
      (e: any) => codeOf(e) === "verification_expired",
    );
    assert.equal((await clerk.client.signIn.reload()).status, "needs_second_factor");
  });
}

test("production: phone codes go to the HTTP relay with its bearer token; no relay or a failing one is a clear error", async (t) => {
  const received: { auth: string | undefined; body: any }[] = [];
  let relayStatus = 200;
  const relay = createServer((req, res) => {
    let data = "";
    req.on("data", (c) => (data += c));
    req.on("end", () => {
      received.push({ auth: req.headers.authorization, body: JSON.parse(data) });
      res.writeHead(relayStatus).end();
    });
  });
  await new Promise<void>((r) => relay.listen(0, "127.0.0.1", r));
  t.after(() => relay.close());
  const webhookUrl = `http://127.0.0.1:${(relay.address() as { port: number }).port}/sms`;

  for (const sms of [{ webhookUrl, bearerToken: "relay-secret" }, undefined]) {
    const server = await startTestServer({ instance: "production", ...(sms ? { sms } : {}) });
    try {
      const created = await bapi(server.url, server.secretKey, "POST", "/users", {
        email_address: ["pat@example.com"],
        password: PASSWORD,
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const c = new FapiClient(server.url, "header");
      assert.equal((await signIn(c, "pat@example.com")).body.response.status, "complete");
      const phone = await c.post("/v1/me/phone_numbers", { phone_number: PHONE });
      assert.equal(phone.status, 200, JSON.stringify(phone.body));
      const prep = () =>
        c.post(`/v1/me/phone_numbers/${phone.body.response.id}/prepare_verification`, { strategy: "phone_code" });
      if (!sms) {
        const r = await prep();
        assert.equal(r.status, 503);
        assert.equal(codeOf(r.body), "sms_delivery_unavailable");
        continue;
      }
      assert.equal((await prep()).status, 200);
      assert.equal(received.length, 1);
      assert.equal(received[0]!.auth, "Bearer relay-secret");
      assert.equal(received[0]!.body.to, PHONE);
      const code = /(\d{6})/.exec(received[0]!.body.message)![1]!;
      assert.deepEqual(await server.inbox(), [], "production keeps no inbox");
      const ok = await c.post(`/v1/me/phone_numbers/${phone.body.response.id}/attempt_verification`, { code });
      assert.equal(ok.body.response.verification.status, "verified");
      relayStatus = 500;
      const second = await c.post("/v1/me/phone_numbers", { phone_number: "+15555550101" });
      const failed = await c.post(`/v1/me/phone_numbers/${second.body.response.id}/prepare_verification`, {
        strategy: "phone_code",
      });
      assert.equal(codeOf(failed.body), "sms_delivery_unavailable");
    } finally {
      await server.stop();
    }
  }
});

for (const pkg of ["clerk-js-5", "clerk-js-6"] as const) {
  test(`${pkg}: sign-up with a phone number verified by phone_code`, async (t) => {
    const server = await startTestServer({ allowedOrigins: [PAGE_ORIGIN] });
    t.after(() => server.stop());
    const seen = new Set<string>();
    const { clerk } = bootClerk(pkg, server.publishableKey, server.url);
    await clerk.load({ telemetry: false });

    await assert.rejects(
      clerk.client.signUp.create({
        emailAddress: "sue@example.com",
        password: PASSWORD,
        phoneNumber: "0044 20 7946 0000",
      }),
      (e: any) => codeOf(e) === "form_param_format_invalid",
    );
    const su = await clerk.client.signUp.create({
      emailAddress: "sue@example.com",
      password: PASSWORD,
      phoneNumber: "+44 20 7946 0000",
    });
    assert.equal(su.phoneNumber, "+442079460000");
    assert.deepEqual([...su.unverifiedFields].sort(), ["email_address", "phone_number"]);
    await su.preparePhoneNumberVerification({ strategy: "phone_code" });
    const code = await smsCode(server, "+442079460000", seen);
    await assert.rejects(
      su.attemptPhoneNumberVerification({ code: code === "000000" ? "111111" : "000000" }),
      (e: any) => codeOf(e) === "form_code_incorrect",
    );
    const phoneDone = await su.attemptPhoneNumberVerification({ code });
    assert.equal(phoneDone.verifications.phoneNumber.status, "verified");
    assert.equal(phoneDone.status, "missing_requirements", "the e-mail address is still unverified");
    await phoneDone.prepareEmailAddressVerification({ strategy: "email_code" });
    const mail = (await server.inbox()).find((m) => m.to === "sue@example.com")!;
    const done = await clerk.client.signUp.attemptEmailAddressVerification({ code: mail.code });
    assert.equal(done.status, "complete");
    await clerk.setActive({ session: done.createdSessionId });
    assert.equal(clerk.user.phoneNumbers[0].phoneNumber, "+442079460000");
    assert.equal(clerk.user.phoneNumbers[0].verification.status, "verified");

    // The number now signs its user in; a second sign-up cannot take it.
    await clerk.signOut();
    await assert.rejects(
      clerk.client.signUp.create({
        emailAddress: "other@example.com",
        password: PASSWORD,
        phoneNumber: "+442079460000",
      }),
      (e: any) => codeOf(e) === "form_identifier_exists",
    );
    const si = await clerk.client.signIn.create({ identifier: "+442079460000" });
    assert.ok(si.supportedFirstFactors.some((f: any) => f.strategy === "phone_code"));
  });
}
