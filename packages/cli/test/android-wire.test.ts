/**
 * The Android guide's stack on the wire (docs/android-guide.md): Clerk's Android SDK
 * (clerk-android-api 1.x) and the Convex mobile client (convex-rs 0.6.0 as android-convexmobile
 * 0.2.0 embeds it) replayed from their source against the guide's backend as
 * `tandem dev --https --public-host 10.0.2.2` serves it. Every answer is decoded against the
 * fields the Kotlin models require (support/kotlin-models.ts): a missing one fails the test.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import { AndroidDevice, type Reply } from "./support/android-device.js";
import { RustSyncClient } from "./support/convex-rs-client.js";
import { startGuideStack, type GuideStack } from "./support/guide-stack.js";
import {
  Client,
  Environment,
  EnvironmentV1_0,
  ErrorResponse,
  Message,
  SESSION_INVALIDATION_CODES,
  Session,
  SignIn,
  TokenResource,
  decode,
  piggybacked,
} from "./support/kotlin-models.js";

const PASSWORD = "correct horse battery staple";

function ok(r: Reply, what: string): any {
  assert.equal(r.status, 200, `${what}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** `ConfigurationManager.refreshClientAndEnvironment`: both in parallel, both must decode. */
async function launch(device: AndroidDevice) {
  const [client, env] = await Promise.all([device.call("GET", "/client"), device.call("GET", "/environment")]);
  decode(ok(env, "environment"), Environment, "$environment");
  decode(env.body, EnvironmentV1_0, "$environment(1.0)");
  device.client = decode(ok(client, "client").response, Client, "$client.response");
  assert.ok(device.token?.startsWith(`${device.client.id}.`), "the device holds its client's token");
  return device.client;
}

/** `SessionTokenFetcher`: the cached `last_active_token` when it is this session's and has more than 10 s left. */
function cachedToken(device: AndroidDevice, now: number): string | null {
  const session = device.client?.sessions?.find((s: any) => s.id === device.client.last_active_session_id);
  const jwt = session?.last_active_token?.jwt;
  if (!jwt) return null;
  const claims = decodeJwt(jwt);
  return claims.sid === session.id && claims.exp! * 1000 - now > 10_000 ? jwt : null;
}

async function mint(device: AndroidDevice, sessionId: string): Promise<Reply> {
  return device.call("POST", `/client/sessions/${sessionId}/tokens`, { organization_id: "" });
}

async function signInOneShot(device: AndroidDevice, identifier: string) {
  const r = await device.call("POST", "/client/sign_ins", {
    identifier,
    password: PASSWORD,
    strategy: "password",
    locale: "en-US",
  });
  const si = decode(ok(r, "sign-in").response, SignIn, "$sign_in");
  assert.equal(si.status, "complete");
  return si.created_session_id as string;
}

async function createUser(stack: GuideStack, email: string, first: string) {
  const r = await stack.bapi("POST", "/users", {
    email_address: [email],
    password: PASSWORD,
    first_name: first,
    last_name: "Android",
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.id as string;
}

test("the guide's Kotlin stack: launch, sign-in one-shot and two-step, token, sync, revoke, sign-out", async (t) => {
  const stack = await startGuideStack();
  t.after(() => stack.stop());
  const { services } = stack;
  assert.equal(new URL(services.identity.issuer).hostname, "10.0.2.2", "the publishable key names the emulator's host");
  assert.match(services.publicUrls.backend, /^https:\/\/10\.0\.2\.2:\d+$/);
  const userId = await createUser(stack, "ada@example.com", "Ada");

  // 1. First launch: no token; GET /v1/client creates the client and hands its token back.
  const device = new AndroidDevice(services.identity.publishableKey, stack.ca);
  const fresh = await launch(device);
  assert.deepEqual(fresh.sessions, []);

  // 2a. One-shot sign-in (`Clerk.auth.signInWithPassword`): the piggy-backed client carries the session.
  const sid = await signInOneShot(device, "ada@example.com");
  assert.equal(device.client.last_active_session_id, sid);
  const session = decode(device.client.sessions[0], Session, "$session");
  assert.equal(session.status, "active");

  // 3. Token: the cached one first (the glue's `getToken()`), then a mint (bare TokenResource).
  const cached = cachedToken(device, stack.clock.now());
  assert.ok(cached, "last_active_token usable");
  const minted = decode(ok(await mint(device, sid), "mint"), TokenResource, "$token");
  const claims = decodeJwt(minted.jwt);
  assert.equal(claims.aud, "convex");
  assert.equal(claims.sid, sid);
  assert.equal(claims.exp! - claims.iat!, 3600, "tokens minted to native SDKs live an hour");

  // 4. Sync: Connect, Authenticate, ModifyQuerySet (canonical path), Mutation, its covering Transition.
  const sync = await RustSyncClient.connect(services.publicUrls.backend, stack.ca);
  t.after(() => sync.close());
  const authed = await sync.authenticate(cached!);
  assert.equal(authed.type, "Transition", JSON.stringify(authed));
  const first = await sync.subscribe(0, "messages.js:list");
  assert.equal(first.type, "Transition");
  assert.deepEqual(sync.valueOf(0), []);
  const { response, covering } = await sync.mutation("messages:send", { body: "Hello from Android" });
  assert.equal(response.success, true, JSON.stringify(response));
  assert.ok(covering, "a Transition covers the mutation's ts");
  await sync.next((m) => m.type === "Transition" && (sync.valueOf(0) as unknown[]).length === 1);
  const [message] = sync.valueOf(0) as unknown[];
  const m = decode(message, Message, "$Message");
  assert.deepEqual([m.author, m.body], ["Ada Android", "Hello from Android"]);

  // 2b. Prebuilt UI on a second device: identifier first, then the password.
  const phone = new AndroidDevice(services.identity.publishableKey, stack.ca, { api: "2025-11-10", sdk: "1.0" });
  await launch(phone);
  const started = decode(
    ok(await phone.call("POST", "/client/sign_ins", { identifier: "ada@example.com", locale: "en-US" }), "sign-in")
      .response,
    SignIn,
  );
  assert.equal(started.status, "needs_first_factor");
  assert.ok(started.supported_first_factors.some((f: any) => f.strategy === "password"));
  const attempted = await phone.call("POST", `/client/sign_ins/${started.id}/attempt_first_factor`, {
    strategy: "password",
    password: PASSWORD,
  });
  const done = decode(ok(attempted, "attempt").response, SignIn);
  assert.equal(done.status, "complete");
  const phoneSid = done.created_session_id as string;
  assert.equal(phone.client.last_active_session_id, phoneSid);
  decode(ok(await mint(phone, phoneSid), "mint"), TokenResource);

  // 5. Revoked on the server: the next mint answers a code the SDK signs out on.
  assert.equal((await stack.bapi("POST", `/sessions/${phoneSid}/revoke`)).status, 200);
  const refused = await mint(phone, phoneSid);
  assert.equal(refused.status, 401);
  const err = decode(refused.body, ErrorResponse, "$error");
  assert.equal(err.errors[0].code, "session_revoked");
  assert.ok(SESSION_INVALIDATION_CODES.includes(err.errors[0].code));
  const unknown = decode((await mint(phone, "sess_2unknownunknownunknownunkn")).body, ErrorResponse);
  assert.equal(unknown.errors[0].code, "session_not_found");
  assert.ok(SESSION_INVALIDATION_CODES.includes(unknown.errors[0].code));
  // The foreground refresh shows the session gone.
  decode(ok(await phone.call("GET", "/client"), "client").response, Client);

  // 6. Sign-out: DELETE answers a non-null client; the SDK drops its token and fetches a new client.
  const out = decode(ok(await device.call("DELETE", "/client/sessions"), "sign-out"), piggybacked(Client));
  assert.deepEqual(out.response.sessions, []);
  device.token = null;
  device.client = {};
  const after = decode(
    ok(await device.call("GET", "/client", undefined, { skipClientId: true }), "client").response,
    Client,
  );
  assert.ok(device.token, "a new device token");
  assert.notEqual(after.id, fresh.id);
  const loggedOut = await sync.authenticate(null);
  assert.equal(loggedOut.type, "Transition");
  const ended = decode((await mint(device, sid)).body, ErrorResponse);
  assert.ok(SESSION_INVALIDATION_CODES.includes(ended.errors[0].code), ended.errors[0].code);

  // A stale device token (data folder reset): a new client, not a decode failure.
  const stale = new AndroidDevice(services.identity.publishableKey, stack.ca);
  stale.token = `${fresh.id}.not-the-secret`;
  await launch(stale);
  assert.notEqual(stale.token, `${fresh.id}.not-the-secret`);

  // A session whose user is gone still renders every field the model requires.
  assert.equal((await stack.bapi("DELETE", `/users/${userId}`)).status, 200);
  const orphan = decode(ok(await phone.call("GET", `/client/sessions/${phoneSid}`), "session"), piggybacked(Session));
  assert.equal(orphan.response.id, phoneSid);
  assert.equal(orphan.response.user, null);
});

test("one hour of the pinned client: the token it was given once keeps working; newer clients refresh", async (t) => {
  const stack = await startGuideStack();
  t.after(() => stack.stop());
  const { services, clock } = stack;
  await createUser(stack, "grace@example.com", "Grace");
  const device = new AndroidDevice(services.identity.publishableKey, stack.ca);
  await launch(device);
  await signInOneShot(device, "grace@example.com");
  // The glue's `login()`: one `getToken()`, handed to the Rust client once, never again.
  const token = cachedToken(device, clock.now())!;
  assert.ok(token);
  const sync = await RustSyncClient.connect(services.publicUrls.backend, stack.ca);
  t.after(() => sync.close());
  assert.equal((await sync.authenticate(token)).type, "Transition");
  await sync.subscribe(0, "messages.js:list");

  // Every five minutes for an hour (the SDK's foreground refresh included), a message goes through.
  for (let minute = 5; minute <= 55; minute += 5) {
    clock.advance(5 * 60_000);
    decode(ok(await device.call("GET", "/client"), "foreground refresh").response, Client);
    const { response, covering } = await sync.mutation("messages:send", { body: `minute ${minute}` });
    assert.equal(response.type, "MutationResponse", `minute ${minute}: ${JSON.stringify(response)}`);
    assert.ok(response.success && covering, `minute ${minute}`);
  }
  clock.advance(4 * 60_000 + 50_000); // 59:50
  assert.ok((await sync.mutation("messages:send", { body: "59:50" })).covering, "still working at 59:50");
  assert.equal((sync.valueOf(0) as unknown[]).length, 12);

  // Past the native lifetime the backend refuses the pinned token (the documented limit).
  clock.advance(2 * 60_000);
  const late = await sync.mutation("messages:send", { body: "too late" });
  assert.equal(late.response.type, "AuthError", JSON.stringify(late.response));

  // A newer client (convex-mobile 0.8+ `setAuthCallback`) reconnects and asks Clerk for a fresh token.
  const sid = device.client.last_active_session_id as string;
  const fresh = decode(ok(await mint(device, sid), "mint"), TokenResource).jwt as string;
  const again = await RustSyncClient.connect(services.publicUrls.backend, stack.ca, "kotlin-0.8.0", 1);
  t.after(() => again.close());
  assert.equal((await again.authenticate(fresh)).type, "Transition");
  await again.subscribe(0, "messages.js:list");
  assert.ok((await again.mutation("messages:send", { body: "refreshed" })).covering);

  // Web clients are not weakened: a token minted without `_is_native` lives Clerk's 60 s.
  const web = await fetch(`${services.identity.url}/v1/client/sessions/${sid}/tokens`, {
    method: "POST",
    headers: { authorization: device.token! },
  });
  const webJwt = ((await web.json()) as { jwt: string }).jwt;
  const webClaims = decodeJwt(webJwt);
  assert.equal(webClaims.exp! - webClaims.iat!, 60);
  const webSync = await RustSyncClient.connect(services.publicUrls.backend, stack.ca);
  t.after(() => webSync.close());
  clock.advance(2 * 60_000);
  assert.equal((await webSync.authenticate(webJwt)).type, "AuthError", "an expired web token is refused");
});
