/** What a user does on the chat page, through the page's own buttons and forms. */
import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { RunningDemo } from "./demo.js";

export interface Person {
  firstName: string;
  lastName: string;
  email: string;
  password: string;
}

let counter = 0;
export function newPerson(firstName: string, lastName: string): Person {
  counter += 1;
  const tag = `${Date.now().toString(36)}${counter}`;
  return {
    firstName,
    lastName,
    email: `${firstName.toLowerCase()}.${tag}@example.com`,
    password: `correct horse battery ${tag}`,
  };
}

export const fullName = (p: Person): string => `${p.firstName} ${p.lastName}`;

/**
 * The texts of the guide's three auth views over time, recorded in the page by a MutationObserver
 * installed before any of the page's scripts run (on every load of the context's pages). Source
 * text, not a function: tsx would wrap a function's inner closures in a `__name` helper the page
 * does not have.
 */
const RECORD_AUTH_STATES = `(() => {
  const seen = [];
  window.__authStates = seen;
  const record = () => {
    const text = document.querySelector(".auth-state")?.textContent ?? "(none)";
    if (seen[seen.length - 1] !== text) seen.push(text);
  };
  new MutationObserver(record).observe(document, { childList: true, subtree: true, characterData: true });
})();`;

/** A new browser context (its own cookies) on the chat page; `watch` sees the page before it loads. */
export async function openChat(
  browser: Browser,
  demo: RunningDemo,
  watch?: (page: Page) => void,
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
  await context.addInitScript({ content: RECORD_AUTH_STATES });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  watch?.(page);
  await page.goto(demo.pageUrl);
  return { context, page, errors };
}

/** The auth view texts this page has shown since it was last loaded, in order, without repeats. */
export async function authStates(page: Page): Promise<string[]> {
  const seen = await page.evaluate(() => (window as unknown as { __authStates: string[] }).__authStates);
  return seen.filter((text) => text !== "(none)").filter((text, i, all) => text !== all[i - 1]);
}

/** Resolves once the page shows the auth view `text` ("Logged in", "Logged out", "Still loading"). */
export async function showsAuth(page: Page, text: string, timeout = 15_000): Promise<void> {
  await page.waitForFunction((want) => document.querySelector(".auth-state")?.textContent === want, text, { timeout });
}

export const badgeText = (page: Page): Promise<string | null> => page.locator(".badge").textContent();

/** The newest code the dev inbox holds for `to`, polling briefly while the mail lands. */
export async function codeFromInbox(demo: RunningDemo, to: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const inbox = (await (await fetch(`${demo.identityUrl}/dev/inbox`)).json()) as {
      to: string;
      code: string | null;
    }[];
    const code = inbox.find((m) => m.to === to && m.code)?.code;
    if (code) return code;
    if (Date.now() > deadline) throw new Error(`no code for ${to} in the dev inbox`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Sign in → "Sign up" in the modal → names, e-mail, password → the e-mailed code. */
export async function signUpWithEmailCode(page: Page, demo: RunningDemo, person: Person): Promise<void> {
  await page.getByRole("button", { name: "Sign in" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("button", { name: "Sign up" }).click();
  await dialog.getByLabel("First name").fill(person.firstName);
  await dialog.getByLabel("Last name").fill(person.lastName);
  await dialog.getByLabel("Email address").fill(person.email);
  await dialog.getByLabel("Password").fill(person.password);
  await dialog.getByRole("button", { name: "Continue" }).click();
  const codeField = dialog.getByLabel("Verification code");
  await codeField.waitFor();
  await codeField.fill(await codeFromInbox(demo, person.email));
  await dialog.getByRole("button", { name: "Verify" }).click();
  await dialog.waitFor({ state: "detached" });
}

/** Sign in in the modal with e-mail and password. */
export async function signInWithPassword(page: Page, person: Person): Promise<void> {
  await page.getByRole("button", { name: "Sign in" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Email address or username").fill(person.email);
  await dialog.getByLabel("Password").fill(person.password);
  await dialog.getByRole("button", { name: "Continue" }).click();
  await dialog.waitFor({ state: "detached" });
}

/** A user made through the Backend API (`POST /backend/v1/users` with the secret key). */
export async function createUser(demo: RunningDemo, person: Person): Promise<void> {
  const response = await fetch(`${demo.identityUrl}/backend/v1/users`, {
    method: "POST",
    headers: { Authorization: `Bearer ${demo.secretKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      email_address: [person.email],
      password: person.password,
      first_name: person.firstName,
      last_name: person.lastName,
    }),
  });
  assert.equal(response.status, 200, await response.text());
}

/** Waits until the form may send (the user is stored), then sends `text`. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  const send = page.getByRole("button", { name: "Send" });
  await page.waitForFunction(() => {
    const button = [...document.querySelectorAll("form.send button")][0] as HTMLButtonElement | undefined;
    return button !== undefined && !button.disabled;
  });
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await send.click();
}

/** The list as shown: "author: body" per message. */
export function shownMessages(page: Page): Promise<string[]> {
  return page
    .locator(".messages li")
    .evaluateAll((items) =>
      items.map((li) => `${li.querySelector(".author")?.textContent}: ${li.querySelector(".body")?.textContent}`),
    );
}

/** Resolves once the page lists a message "author: body". */
export async function seesMessage(page: Page, author: string, body: string, timeout = 10_000): Promise<void> {
  await page
    .locator(".messages li", { has: page.locator(".body", { hasText: body }) })
    .locator(".author", { hasText: author })
    .first()
    .waitFor({ timeout });
}
