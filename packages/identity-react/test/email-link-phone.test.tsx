/**
 * Magic links and phone numbers in the prebuilt forms, against a real identity server:
 * `<SignIn />` "Email me a sign-in link" waits on "Check your email" and signs in once the link is
 * opened in another browser; the page a link returns to says what the link did. `<SignUp />` takes
 * a phone number (a non-E.164 one refused on the field), verifies the address by link and then
 * the number by its texted code.
 */
import { byLabel, byRole, click, queryText, type, waitUntil, win } from "./support/dom.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import React, { act } from "react";
import { createRoot } from "react-dom/client";
import { AuthProvider, SignedIn, SignedOut, SignIn, SignUp, useUser } from "@tandem/react";
import { createTandem, memoryStorage } from "@tandem/js";
import { PASSWORD, startIdentity, type TestIdentity } from "../../../test/support/identity.js";

const PAGE = "http://127.0.0.1:5173";
// The forms read the page's own URL (where a link returns, and what it said), as in a browser.
Object.assign(globalThis, { location: win.location, history: win.history });

/** Node's fetch sends no Origin; a browser page would, and magic links must return to it. */
const pageFetch: typeof fetch = (input, init) =>
  fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), origin: PAGE } });

function Name() {
  const { user } = useUser();
  return (
    <p>
      Logged in as {user?.fullName} {user?.phoneNumbers.map((p) => p.phoneNumber).join(",")}
    </p>
  );
}

/** The newest magic link in the dev inbox for `to`. */
async function linkFor(identity: TestIdentity, to: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const m = (await identity.inbox()).find((x) => x.to === to && x.text.includes("/v1/verify?token="));
    if (m) return /(https?:\/\/\S+\/v1\/verify\?token=\S+)/.exec(m.text)![1]!;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no link for ${to}`);
}

/** Opens the link as another browser would (no cookies); answers where it sends that browser. */
async function openElsewhere(link: string): Promise<URL> {
  const res = await fetch(link, { redirect: "manual" });
  assert.equal(res.status, 303);
  return new URL(res.headers.get("location")!);
}

function mount(identity: TestIdentity, form: React.ReactNode) {
  const host = win.document.createElement("div");
  win.document.body.append(host);
  const root = createRoot(host);
  act(() =>
    root.render(
      <AuthProvider publishableKey={identity.publishableKey} transport="header" fetch={pageFetch}>
        <SignedOut>{form}</SignedOut>
        <SignedIn>
          <Name />
        </SignedIn>
      </AuthProvider>,
    ),
  );
  return { host, unmount: () => (act(() => root.unmount()), host.remove()) };
}

test("SignIn: 'Email me a sign-in link' waits, then signs in when the link is opened elsewhere", async (t) => {
  const identity = await startIdentity({ allowedOrigins: [PAGE] });
  t.after(() => identity.stop());
  const setup = createTandem({
    publishableKey: identity.publishableKey,
    storage: memoryStorage(),
    transport: "header",
  });
  await setup.load();
  const t0 = Date.now();
  await setup.signUp.create({ emailAddress: "lin@example.com", password: PASSWORD, firstName: "Lin", lastName: "K" });
  await setup.signUp.prepareEmailAddressVerification();
  await setup.signUp.attemptEmailAddressVerification({ code: await identity.codeFor("lin@example.com", t0) });
  setup.destroy();

  const { host, unmount } = mount(identity, <SignIn />);
  t.after(unmount);
  await waitUntil(() => queryText(host, "Email me a sign-in link"), "the link button (instance has email_link)");
  // Without an identifier the field says so and nothing is sent.
  await click(byRole(host, "button", "Email me a sign-in link"));
  await waitUntil(() => byLabel(host, "Email address or username").getAttribute("aria-invalid") === "true", "asks");

  await type(byLabel(host, "Email address or username"), "lin@example.com");
  await click(byRole(host, "button", "Email me a sign-in link"));
  await waitUntil(() => queryText(host, "Check your email"), "the waiting card");
  assert.ok(queryText(host, "We sent a sign-in link to"));
  assert.equal(byRole(host, "status").textContent, "Waiting for the link to be opened…");
  const link = await linkFor(identity, "lin@example.com");
  await new Promise((r) => setTimeout(r, 1200)); // at least one poll before the click
  assert.ok(!queryText(host, "Logged in as"), "not signed in before the link is opened");

  const back = await openElsewhere(link);
  assert.equal(`${back.origin}${back.pathname}`, `${PAGE}/`, "the link returns to the page that asked");
  assert.equal(back.searchParams.get("__clerk_status"), "verified");
  await waitUntil(() => queryText(host, "Logged in as Lin K"), "signed in by the link", 10_000);
  // Spent: the same link again is refused.
  assert.equal((await openElsewhere(link)).searchParams.get("__clerk_status"), "expired");
});

test("SignIn on the page a link returns to says what the link did", async (t) => {
  const identity = await startIdentity({ allowedOrigins: [PAGE] });
  t.after(() => identity.stop());
  win.history.replaceState(null, "", "/?__clerk_status=expired");
  t.after(() => win.history.replaceState(null, "", "/"));
  const { host, unmount } = mount(identity, <SignIn />);
  t.after(unmount);
  await waitUntil(() => queryText(host, "This link has expired"), "the expired card");
  await click(byRole(host, "button", "Back"));
  await waitUntil(() => queryText(host, "Email address or username"), "the form again");
  assert.equal(win.location.search, "", "the answer is dropped from the address bar");
});

test("SignUp: a phone number (E.164 checked), the address verified by link, then the texted code", async (t) => {
  const identity = await startIdentity({ allowedOrigins: [PAGE] });
  t.after(() => identity.stop());
  const { host, unmount } = mount(identity, <SignUp />);
  t.after(unmount);
  await waitUntil(() => queryText(host, "Phone number (optional)"), "the phone field (instance has phone numbers)");
  assert.equal(byLabel(host, "Phone number (optional)").type, "tel");
  await type(byLabel(host, "First name"), "Pia");
  await type(byLabel(host, "Last name"), "Phone");
  await type(byLabel(host, "Email address"), "pia@example.com");
  await type(byLabel(host, "Password"), PASSWORD);
  await type(byLabel(host, "Phone number (optional)"), "12345");
  await click(byRole(host, "button", "Continue"));
  await waitUntil(() => byLabel(host, "Phone number (optional)").getAttribute("aria-invalid") === "true", "refused");
  assert.ok(!queryText(host, "Verify your email"), "no sign-up step with a bad number");

  await type(byLabel(host, "Phone number (optional)"), "+1 (555) 555-0100");
  await click(byRole(host, "button", "Continue"));
  await waitUntil(() => queryText(host, "Verify your email"), "the e-mail step");
  await click(byRole(host, "button", "Email me a link instead"));
  await waitUntil(() => queryText(host, "We sent a verification link to pia@example.com"), "the waiting card");
  const back = await openElsewhere(await linkFor(identity, "pia@example.com"));
  assert.equal(back.searchParams.get("__clerk_status"), "verified");

  await waitUntil(() => queryText(host, "Verify your phone"), "the phone step once the link was opened");
  assert.ok(queryText(host, "We texted a code to +15555550100."));
  assert.ok(!queryText(host, "Logged in as"), "not done before the number is verified");
  const code = await identity.codeFor("+15555550100");
  await type(byLabel(host, "Verification code"), code === "000000" ? "111111" : "000000");
  await click(byRole(host, "button", "Verify"));
  await waitUntil(() => byLabel(host, "Verification code").getAttribute("aria-invalid") === "true", "wrong code");
  await type(byLabel(host, "Verification code"), code);
  await click(byRole(host, "button", "Verify"));
  await waitUntil(() => queryText(host, "Logged in as Pia Phone +15555550100"), "signed up with the number");
});
