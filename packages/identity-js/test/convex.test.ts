/**
 * `connectConvex` with the official `ConvexClient` (convex/browser, over `ws` in Node) against a
 * real Tandem backend whose `auth.config.ts` trusts a real identity server: a live query of
 * `ctx.auth.getUserIdentity()` follows sign-in, sign-out and a switch of user.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ConvexClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { connectConvex, createTandem, memoryStorage, type ConvexAuthState } from "@tandem/js";
import { PASSWORD, startIdentity, type TestIdentity } from "../../../test/support/identity.js";
import { startBackendWithApp, type TestBackend } from "../../../test/support/backend.js";
import { signUpWithCode } from "./support/flows.js";
import { waitFor } from "./support/wait.js";

// Reads a value as it is now: a plain re-read of a getter keeps the narrowing an earlier assertion
// left on it, though the sign-in or sign-out in between changed it.
const now = <T>(read: () => T): T => read();

type Me = { subject: string; issuer: string; name: string | null; email: string | null } | null;
const whoami = makeFunctionReference<"query", Record<string, never>, Me>("whoami:me");

let identity: TestIdentity;
let app: TestBackend;

before(async () => {
  identity = await startIdentity();
  app = await startBackendWithApp("whoami", identity.issuer);
});

after(async () => {
  await app?.stop();
  await identity?.stop();
});

test("the live query follows sign-in, sign-out and another user's sign-in", async (t) => {
  const tandem = createTandem({ publishableKey: identity.publishableKey });
  const convex = new ConvexClient(app.backend.url);
  t.after(async () => {
    tandem.destroy();
    await convex.close();
  });
  await tandem.load();
  const connection = connectConvex(tandem, convex);
  const states: ConvexAuthState["status"][] = [];
  connection.authState.subscribe((s) => states.push(s.status));

  let me: Me | undefined = undefined;
  convex.onUpdate(whoami, {}, (v) => (me = v));
  await waitFor(
    () => me,
    (v) => v === null,
    10_000,
    "the signed-out result",
  );
  assert.equal(connection.authState.value.status, "unauthenticated");

  await signUpWithCode(tandem, identity, "ada@example.com");
  const userId = tandem.user!.id;
  const signedIn = await waitFor(
    () => me,
    (v) => v !== null && v !== undefined,
    10_000,
    "the signed-in identity",
  );
  assert.equal(signedIn!.subject, userId);
  assert.equal(signedIn!.issuer, identity.issuer);
  assert.equal(signedIn!.name, "Ada Lovelace");
  assert.equal(signedIn!.email, "ada@example.com");
  await waitFor(
    () => connection.authState.value.status,
    (s) => s === "authenticated",
    10_000,
    "authenticated",
  );
  const auth = now(() => connection.authState.value);
  assert.ok(auth.status === "authenticated" && auth.user.id === userId);
  assert.equal(convex.getAuth()?.decoded.aud, "convex", "the Convex client holds a convex-template token");

  await tandem.signOut();
  await waitFor(
    () => me,
    (v) => v === null,
    10_000,
    "null after sign-out",
  );
  assert.equal(connection.authState.value.status, "unauthenticated");
  assert.equal(convex.getAuth(), undefined, "the Convex client dropped the token");

  // Another user on the same client.
  await signUpWithCode(tandem, identity, "grace@example.com", { firstName: "Grace", lastName: "Hopper" });
  const grace = await waitFor(
    () => me,
    (v) => v?.name === "Grace Hopper",
    10_000,
    "the second user",
  );
  assert.notEqual(grace!.subject, userId);

  // And back to the first one by password.
  await tandem.signOut();
  await waitFor(
    () => me,
    (v) => v === null,
    10_000,
    "null again",
  );
  await tandem.signIn.create({ identifier: "ada@example.com", password: PASSWORD });
  await tandem.setActive({ session: tandem.signIn.createdSessionId });
  await waitFor(
    () => me,
    (v) => v?.subject === userId,
    10_000,
    "the first user again",
  );

  assert.deepEqual(
    states.filter((s, i) => s !== states[i - 1]),
    [
      "unauthenticated",
      "loading",
      "authenticated",
      "unauthenticated",
      "loading",
      "authenticated",
      "unauthenticated",
      "loading",
      "authenticated",
    ],
  );
  connection.disconnect();
});

test("connected before load: loading, then the session kept in storage authenticates without a new sign-in", async (t) => {
  const storage = memoryStorage();
  const first = createTandem({ publishableKey: identity.publishableKey, storage });
  await first.load();
  await signUpWithCode(first, identity, "early@example.com", { firstName: "Early", lastName: "Bird" });
  first.destroy();

  // The app restarts: a new SDK instance over the same stored client, connected before it loads.
  const tandem = createTandem({ publishableKey: identity.publishableKey, storage });
  const convex = new ConvexClient(app.backend.url);
  t.after(async () => {
    tandem.destroy();
    await convex.close();
  });
  const connection = connectConvex(tandem, convex);
  assert.equal(connection.authState.value.status, "loading");
  let me: Me | undefined = undefined;
  convex.onUpdate(whoami, {}, (v) => (me = v));
  await tandem.load();
  const back = await waitFor(
    () => me,
    (v) => v?.name === "Early Bird",
    10_000,
    "the restored user",
  );
  assert.equal(back!.email, "early@example.com");
  await waitFor(
    () => connection.authState.value.status,
    (s) => s === "authenticated",
    10_000,
    "authenticated",
  );
});
