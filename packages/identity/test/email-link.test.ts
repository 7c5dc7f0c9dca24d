/**
 * Magic links (`email_link`) through the unmodified clerk-js (5 and 6): sign-in and sign-up flows that
 * poll while the link is clicked (in another browser, and in the same one), and the bad cases:
 * a reused, expired, forged or malformed link and a foreign `redirect_url` get Clerk's answers
 * and change nothing.
 */
import { test } from "node:test";
import { parseSetCookie } from "cookie";
import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "./support/server.js";
import { FapiClient } from "./support/fapi-client.js";
import { signUp, PASSWORD } from "./support/flows.js";
import { bootClerk, environmentOf, PAGE_ORIGIN, type Jar } from "./support/clerk-js.js";

const RETURN = `${PAGE_ORIGIN}/after-link`;
const codeOf = (e: any) => e?.errors?.[0]?.code;

/** The newest link in the dev inbox for `to` (messages come newest first), once it is not one of `seen`. */
async function linkFor(server: TestServer, to: string, seen: string[] = []): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const m = (await server.inbox()).find((x) => x.to === to && x.text.includes("/v1/verify?token="));
    const link = m ? /(https?:\/\/\S+\/v1\/verify\?token=\S+)/.exec(m.text)![1]! : null;
    if (link && !seen.includes(link)) return link;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`no link for ${to}`);
}

/** Opens a link like a browser would, without following the redirect; `jar` makes it the asking browser. */
async function click(link: string, jar?: Jar) {
  // Node's own fetch: bootClerk wraps the global one with the browser's cookie jar.
  const realFetch = ((globalThis as any).__realFetch ?? fetch) as typeof fetch;
  const res = await realFetch(link, {
    redirect: "manual",
    headers: jar ? { cookie: `__client=${jar.cookies.get("__client")}` } : {},
  });
  // Same browser, same cookie jar: the rotated client token lands there.
  if (jar)
    for (const sc of res.headers.getSetCookie()) {
      const c = parseSetCookie(sc);
      if (c.value) jar.cookies.set(c.name, c.value);
    }
  const location = res.headers.get("location");
  return {
    status: res.status,
    location: location ? new URL(location) : null,
    body: location ? null : await res.json(),
  };
}

for (const pkg of ["clerk-js-5", "clerk-js-6"] as const) {
  test(`${pkg}: email_link sign-in completes for the asking browser; links work once and expire`, async (t) => {
    let offset = 0;
    const server = await startTestServer({
      allowedOrigins: [PAGE_ORIGIN],
      clock: () => Date.now() + offset,
      security: { perIdentifierLimit: false },
    });
    t.after(() => server.stop());
    await signUp(new FapiClient(server.url, "header"), server, "jane@example.com");
    const { clerk, jar } = bootClerk(pkg, server.publishableKey, server.url);
    await clerk.load({ telemetry: false });
    assert.ok(environmentOf(clerk).userSettings.attributes.email_address.first_factors.includes("email_link"));

    // Clicked on another device: the polling browser signs in.
    const si = await clerk.client.signIn.create({ identifier: "jane@example.com" });
    const factor = si.supportedFirstFactors.find((f: any) => f.strategy === "email_link");
    assert.ok(factor, "email_link is offered");
    const flow = si.createEmailLinkFlow();
    const polled = flow.startEmailLinkFlow({ emailAddressId: factor.emailAddressId, redirectUrl: RETURN });
    const link = await linkFor(server, "jane@example.com");
    const clicked = await click(link);
    assert.equal(clicked.status, 303);
    assert.equal(clicked.location!.origin + clicked.location!.pathname, RETURN);
    assert.equal(clicked.location!.searchParams.get("__clerk_status"), "verified");
    assert.equal(
      clicked.location!.searchParams.get("__clerk_created_session"),
      null,
      "another browser gets no session",
    );
    const done = await polled;
    assert.equal(done.firstFactorVerification.status, "verified");
    assert.equal(done.status, "complete");
    await clerk.setActive({ session: done.createdSessionId });
    assert.equal(clerk.user.primaryEmailAddress.emailAddress, "jane@example.com");

    // Used once: a second click is "expired" and signs nobody in.
    const sessionsBefore = clerk.client.sessions.length;
    const again = await click(link);
    assert.equal(again.location!.searchParams.get("__clerk_status"), "expired");
    await clerk.client.reload();
    assert.equal(clerk.client.sessions.length, sessionsBefore);
    await clerk.signOut();

    // Clicked in the same browser: that browser gets the session in `__clerk_created_session`.
    const si2 = await clerk.client.signIn.create({ identifier: "jane@example.com" });
    const flow2 = si2.createEmailLinkFlow();
    const polled2 = flow2.startEmailLinkFlow({ emailAddressId: factor.emailAddressId, redirectUrl: RETURN });
    const link2 = await linkFor(server, "jane@example.com", [link]);
    assert.notEqual(link2, link);
    // A forged secret for this very sign-in fails and leaves it pending.
    const forged = await click(link2.replace(/\.[^.]+$/, ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
    assert.equal(forged.location!.searchParams.get("__clerk_status"), "failed");
    assert.equal((await clerk.client.signIn.reload()).status, "needs_first_factor");
    const same = await click(link2, jar);
    const created = same.location!.searchParams.get("__clerk_created_session");
    assert.match(created ?? "", /^sess_/);
    const done2 = await polled2;
    assert.equal(done2.createdSessionId, created);
    await clerk.setActive({ session: created });
    assert.equal(clerk.session.id, created);
    await clerk.signOut();

    // Expired: the poll ends with "expired" and the late click changes nothing.
    const si3 = await clerk.client.signIn.create({ identifier: "jane@example.com" });
    const flow3 = si3.createEmailLinkFlow();
    const polled3 = flow3.startEmailLinkFlow({ emailAddressId: factor.emailAddressId, redirectUrl: RETURN });
    const link3 = await linkFor(server, "jane@example.com", [link, link2]);
    assert.notEqual(link3, link2);
    offset += 11 * 60_000;
    const late = await click(link3);
    assert.equal(late.location!.searchParams.get("__clerk_status"), "expired");
    const expired = await polled3;
    assert.equal(expired.firstFactorVerification.status, "expired");
    assert.equal(expired.status, "needs_first_factor");
    assert.equal(expired.createdSessionId, null);

    // Never clicked: once the link has run out, the poll ends with "expired" by itself.
    const si4 = await clerk.client.signIn.create({ identifier: "jane@example.com" });
    const polled4 = si4
      .createEmailLinkFlow()
      .startEmailLinkFlow({ emailAddressId: factor.emailAddressId, redirectUrl: RETURN });
    await linkFor(server, "jane@example.com", [link, link2, link3]);
    offset += 11 * 60_000;
    assert.equal((await polled4).firstFactorVerification.status, "expired");

    // Bad input: a foreign redirect, a malformed token, attempting a link like a code.
    await assert.rejects(
      clerk.client.signIn.prepareFirstFactor({
        strategy: "email_link",
        emailAddressId: factor.emailAddressId,
        redirectUrl: "https://evil.example/x",
      }),
      (e: any) => codeOf(e) === "form_param_value_invalid",
    );
    await assert.rejects(
      clerk.client.signIn.attemptFirstFactor({ strategy: "email_link", code: "123456" }),
      (e: any) => codeOf(e) === "strategy_for_user_invalid",
    );
    for (const token of ["", "nonsense", "sia_abc.short", "user_abc.AAAAAAAAAAAAAAAAAAAAAAAAAAAA"]) {
      const r = await click(`${server.url}/v1/verify?token=${encodeURIComponent(token)}`);
      assert.equal(r.status, 422, token);
      assert.equal(r.body.errors[0].code, "verification_failed");
    }
    assert.equal((await fetch(`${server.url}/v1/environment`)).status, 200, "server up");
  });
}

for (const pkg of ["clerk-js-5", "clerk-js-6"] as const) {
  test(`${pkg}: email_link sign-up verifies the address and signs the new user in`, async (t) => {
    const server = await startTestServer({ allowedOrigins: [PAGE_ORIGIN] });
    t.after(() => server.stop());
    const { clerk } = bootClerk(pkg, server.publishableKey, server.url);
    await clerk.load({ telemetry: false });

    const su = await clerk.client.signUp.create({ emailAddress: "new@example.com", password: PASSWORD });
    assert.equal(su.status, "missing_requirements");
    assert.ok(su.verifications.emailAddress.supportedStrategies.includes("email_link"));
    const flow = su.createEmailLinkFlow();
    const polled = flow.startEmailLinkFlow({ redirectUrl: RETURN });
    const link = await linkFor(server, "new@example.com");
    const clicked = await click(link);
    assert.equal(clicked.location!.searchParams.get("__clerk_status"), "verified");
    const done = await polled;
    assert.equal(done.verifications.emailAddress.status, "verified");
    assert.equal(done.status, "complete");
    await clerk.setActive({ session: done.createdSessionId });
    assert.equal(clerk.user.primaryEmailAddress.emailAddress, "new@example.com");
    assert.equal(clerk.user.primaryEmailAddress.verification.status, "verified");
    assert.equal((await click(link)).location!.searchParams.get("__clerk_status"), "expired", "used once");
  });
}
