/**
 * The prebuilt components in jsdom against a real identity server: the SignIn form (errors tied
 * to their fields, then success), the modal (dialog semantics, focus trap, Escape, focus
 * restored), SignUp with the e-mail code, UserButton's menu by keyboard, UserProfile, sign-out,
 * Protect, and theming through `appearance`.
 */
import { byLabel, byRole, click, press, queryText, type, waitUntil, win } from "./support/dom.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import React, { act } from "react";
import { createRoot } from "react-dom/client";
import {
  AuthProvider,
  Protect,
  SignedIn,
  SignedOut,
  SignIn,
  SignInButton,
  SignOutButton,
  UserButton,
  useUser,
} from "@tandem/react";
import { createTandem, memoryStorage } from "@tandem/js";
import { PASSWORD, startIdentity, type TestIdentity } from "../../../test/support/identity.js";

const doc = win.document;

function mount(ui: React.ReactNode) {
  const host = doc.createElement("div");
  doc.body.append(host);
  const root = createRoot(host);
  act(() => root.render(ui));
  return { host, unmount: () => (act(() => root.unmount()), host.remove()) };
}

function Name() {
  const { user } = useUser();
  return <p data-testid="name">Logged in as {user?.fullName}</p>;
}

function App({ identity, storage }: { identity: TestIdentity; storage?: ReturnType<typeof memoryStorage> }) {
  return (
    <AuthProvider
      publishableKey={identity.publishableKey}
      transport="header"
      {...(storage ? { storage } : {})}
      appearance={{ variables: { colorPrimary: "rebeccapurple" }, elements: { card: "my-card" } }}
    >
      <SignedOut>
        <p>Logged out</p>
        <SignInButton mode="modal" />
      </SignedOut>
      <SignedIn>
        <Name />
        <UserButton showName />
        <SignOutButton />
      </SignedIn>
      <Protect fallback={<p>Protected: no</p>}>
        <p>Protected: yes</p>
      </Protect>
    </AuthProvider>
  );
}

async function signUpUser(
  identity: TestIdentity,
  email: string,
  firstName: string,
  lastName: string,
  storage = memoryStorage(),
) {
  const tandem = createTandem({ publishableKey: identity.publishableKey, storage, transport: "header" });
  await tandem.load();
  const t0 = Date.now();
  await tandem.signUp.create({ emailAddress: email, password: PASSWORD, firstName, lastName });
  await tandem.signUp.prepareEmailAddressVerification();
  await tandem.signUp.attemptEmailAddressVerification({ code: await identity.codeFor(email, t0) });
  await tandem.signOut();
  tandem.destroy();
}

test("SignIn page: a wrong password is announced on its field; the right one signs in", async (t) => {
  const identity = await startIdentity();
  t.after(() => identity.stop());
  await signUpUser(identity, "page@example.com", "Page", "Reader");
  const { host, unmount } = mount(
    <AuthProvider publishableKey={identity.publishableKey} transport="header">
      <SignedOut>
        <SignIn />
      </SignedOut>
      <SignedIn>
        <Name />
      </SignedIn>
    </AuthProvider>,
  );
  t.after(unmount);
  await waitUntil(() => queryText(host, "Sign in"), "the form");

  await type(byLabel(host, "Email address or username"), "page@example.com");
  await type(byLabel(host, "Password"), "not the password");
  await click(byRole(host, "button", "Continue"));
  await waitUntil(() => byLabel(host, "Password").getAttribute("aria-invalid") === "true", "the password error");
  const pw = byLabel(host, "Password");
  const described = doc.getElementById(pw.getAttribute("aria-describedby")!);
  assert.match(described?.textContent ?? "", /Password is incorrect/);
  assert.equal(byLabel(host, "Email address or username").getAttribute("aria-invalid"), null);

  await type(pw, PASSWORD);
  await click(byRole(host, "button", "Continue"));
  await waitUntil(() => queryText(host, "Logged in as Page Reader"), "signed in");
  assert.ok(!queryText(host, "Email address or username"), "SignedOut content is gone");
});

test("modal sign-up: dialog semantics, focus trap, Escape; then the e-mail code; UserButton, UserProfile, sign-out", async (t) => {
  const identity = await startIdentity();
  t.after(() => identity.stop());
  const { host, unmount } = mount(<App identity={identity} />);
  t.after(unmount);
  await waitUntil(() => queryText(host, "Logged out"), "the signed-out view");
  assert.ok(queryText(host, "Protected: no"));

  // Open the modal: a labelled, modal dialog with focus inside.
  const button = byRole(host, "button", "Sign in");
  assert.equal(button.getAttribute("aria-haspopup"), "dialog");
  button.focus();
  await click(button);
  const dialog = byRole(doc.body, "dialog");
  assert.equal(dialog.getAttribute("aria-modal"), "true");
  assert.equal(doc.getElementById(dialog.getAttribute("aria-labelledby")!)?.textContent, "Sign in");
  assert.ok(dialog.contains(doc.activeElement), "focus moved into the dialog");
  assert.equal(doc.activeElement, byLabel(dialog, "Email address or username"));

  // Tab from the last focusable wraps to the first, Shift+Tab from the first to the last.
  const focusables = [...dialog.querySelectorAll<HTMLElement>("button, input, a[href]")];
  focusables.at(-1)!.focus();
  await press(focusables.at(-1)!, "Tab");
  assert.equal(doc.activeElement, focusables[0]);
  await press(focusables[0]!, "Tab", { shiftKey: true });
  assert.equal(doc.activeElement, focusables.at(-1));

  // Theming reached the dialog: variables inline, extra class on the card.
  const backdrop = doc.querySelector<HTMLElement>("[data-tandem-modal]")!;
  assert.equal(backdrop.style.getPropertyValue("--tandem-color-primary"), "rebeccapurple");
  assert.ok(dialog.querySelector(".tandem-card.my-card"));

  await press(doc.activeElement!, "Escape");
  assert.equal(doc.querySelector('[role="dialog"]'), null, "Escape closed it");
  assert.equal(doc.activeElement, button, "focus went back to the button");

  // Sign up inside the modal.
  await click(button);
  await click(byRole(byRole(doc.body, "dialog"), "button", "Sign up"));
  let d = byRole(doc.body, "dialog");
  assert.equal(doc.getElementById(d.getAttribute("aria-labelledby")!)?.textContent, "Create your account");
  await type(byLabel(d, "First name"), "Mary");
  await type(byLabel(d, "Last name"), "Jackson");
  await type(byLabel(d, "Email address"), "mary@example.com");
  await type(byLabel(d, "Password"), PASSWORD);
  const t0 = Date.now();
  await click(byRole(d, "button", "Continue"));
  await waitUntil(() => queryText(doc.body, "Verify your email"), "the code step");
  d = byRole(doc.body, "dialog");
  await type(byLabel(d, "Verification code"), "000000");
  await click(byRole(d, "button", "Verify"));
  await waitUntil(
    () => byLabel(byRole(doc.body, "dialog"), "Verification code").getAttribute("aria-invalid") === "true",
    "the wrong-code error",
  );
  await type(byLabel(byRole(doc.body, "dialog"), "Verification code"), await identity.codeFor("mary@example.com", t0));
  await click(byRole(byRole(doc.body, "dialog"), "button", "Verify"));
  await waitUntil(() => queryText(host, "Logged in as Mary Jackson"), "signed in");
  assert.equal(doc.querySelector('[role="dialog"]'), null, "the modal closed itself");
  assert.ok(queryText(host, "Protected: yes"));

  // UserButton: a menu button operated by keyboard.
  const trigger = byRole(host, "button", "Open user menu for Mary Jackson");
  assert.equal(trigger.getAttribute("aria-haspopup"), "menu");
  assert.equal(trigger.getAttribute("aria-expanded"), "false");
  assert.equal(trigger.textContent, "MJMary Jackson", "initials avatar and the name");
  await click(trigger);
  const menu = byRole(host, "menu");
  assert.equal(trigger.getAttribute("aria-expanded"), "true");
  assert.equal(trigger.getAttribute("aria-controls"), menu.id);
  const items = [...menu.querySelectorAll('[role="menuitem"]')].map((i) => i.textContent);
  assert.deepEqual(items, ["Manage account", "Sign out"]);
  assert.equal(doc.activeElement?.textContent, "Manage account");
  await press(doc.activeElement!, "ArrowDown");
  assert.equal(doc.activeElement?.textContent, "Sign out");
  await press(doc.activeElement!, "ArrowDown");
  assert.equal(doc.activeElement?.textContent, "Manage account", "arrows wrap");
  await press(doc.activeElement!, "Escape");
  assert.equal(host.querySelector('[role="menu"]'), null);
  assert.equal(doc.activeElement, trigger);

  // Manage account → UserProfile dialog; change the name.
  await click(trigger);
  await click(byRole(host, "menuitem", "Manage account"));
  const profile = byRole(doc.body, "dialog");
  assert.equal(doc.getElementById(profile.getAttribute("aria-labelledby")!)?.textContent, "Account");
  assert.ok(queryText(profile, "mary@example.com · Primary · Verified"));
  await type(byLabel(profile, "First name"), "Mae");
  await click(byRole(profile, "button", "Save"));
  await waitUntil(() => queryText(host, "Logged in as Mae Jackson"), "the new name everywhere");
  assert.equal(byRole(profile, "status").textContent, "Profile updated.");
  await press(doc.activeElement ?? profile, "Escape");

  // SignOutButton.
  await click(byRole(host, "button", "Sign out"));
  await waitUntil(() => queryText(host, "Logged out"), "signed out");
  assert.ok(queryText(host, "Protected: no"));
});

test("a stored session renders signed in on load; UserButton's Sign out signs out", async (t) => {
  const identity = await startIdentity();
  t.after(() => identity.stop());
  const storage = memoryStorage();
  await signUpUser(identity, "kept@example.com", "Kept", "Session", storage);
  // signUpUser signed out at the end; sign in again into the shared storage.
  const tandem = createTandem({ publishableKey: identity.publishableKey, storage, transport: "header" });
  await tandem.load();
  await tandem.signIn.create({ identifier: "kept@example.com", password: PASSWORD });
  await tandem.setActive({ session: tandem.signIn.createdSessionId });
  tandem.destroy();

  const views: string[] = [];
  const observer = new win.MutationObserver(() =>
    views.push(queryText(doc.body, "Logged out") ? "out" : queryText(doc.body, "Logged in") ? "in" : "none"),
  );
  observer.observe(doc.body, { childList: true, subtree: true, characterData: true });
  const { host, unmount } = mount(<App identity={identity} storage={storage} />);
  t.after(() => (observer.disconnect(), unmount()));
  await waitUntil(() => queryText(host, "Logged in as Kept Session"), "signed in from storage");
  await act(async () => new Promise((r) => setTimeout(r, 0)));
  assert.ok(views.includes("in") && !views.includes("out"), `the signed-out view never flashed: ${views}`);

  await click(byRole(host, "button", "Open user menu for Kept Session"));
  await click(byRole(host, "menuitem", "Sign out"));
  await waitUntil(() => queryText(host, "Logged out"), "signed out");
});

test("redirect mode goes to signInUrl through routerPush; Protect's condition; SignOutButton's redirectUrl", async (t) => {
  const identity = await startIdentity();
  t.after(() => identity.stop());
  await signUpUser(identity, "nav@example.com", "Nav", "Igator");
  // The app brings its own SDK instance (the `tandem` prop) and drives it directly.
  const tandem = createTandem({ publishableKey: identity.publishableKey, transport: "header" });
  t.after(() => tandem.destroy());
  const pushed: string[] = [];
  const { host, unmount } = mount(
    <AuthProvider
      publishableKey={identity.publishableKey}
      tandem={tandem}
      signInUrl="/sign-in"
      routerPush={(to) => void pushed.push(to)}
    >
      <SignedOut>
        <SignInButton>
          <a href="#go">Go sign in</a>
        </SignInButton>
        <SignInButton mode="redirect" />
      </SignedOut>
      <SignedIn>
        <Protect condition={(has) => has({ role: "org:admin" })} fallback={<p>Not an admin</p>}>
          <p>Admin area</p>
        </Protect>
        <SignOutButton redirectUrl="/goodbye">
          <button type="button">Leave</button>
        </SignOutButton>
      </SignedIn>
    </AuthProvider>,
  );
  t.after(unmount);
  await waitUntil(() => queryText(host, "Go sign in"), "signed-out view");
  await click(byRole(host, "button", "Sign in"));
  assert.deepEqual(pushed, ["/sign-in"]);
  assert.equal(doc.querySelector('[role="dialog"]'), null, "no modal in redirect mode with a URL");
  await click(host.querySelector("a")!);
  assert.deepEqual(pushed, ["/sign-in", "/sign-in"], "the child element is cloned with the click behaviour");

  await act(async () => {
    await tandem.signIn.create({ identifier: "nav@example.com", password: PASSWORD });
    await tandem.setActive({ session: tandem.signIn.createdSessionId });
  });
  await waitUntil(() => queryText(host, "Not an admin"), "Protect's fallback for a failed condition");
  assert.ok(!queryText(host, "Admin area"));
  await click(byRole(host, "button", "Leave"));
  await waitUntil(() => queryText(host, "Go sign in"), "signed out");
  assert.deepEqual(pushed, ["/sign-in", "/sign-in", "/goodbye"]);
});
