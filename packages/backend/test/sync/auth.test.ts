/** Authenticate on the socket: None, Admin (+ impersonation), User tokens, failures and expiry. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { anyApi } from "convex/server";
import { ADMIN_KEY, eventually, startHarness } from "./harness.js";
import { memoryApp } from "./memory-app.js";
import { setAdminAuth } from "../../../../test/support/admin-auth.js";

const api = anyApi;
/** A clock the tests move by hand: token expiry without waiting on wall-clock time. */
function manualClock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

const whoami = {
  type: "ModifyQuerySet",
  baseVersion: 0,
  newVersion: 1,
  modifications: [{ type: "Add", queryId: 0, udfPath: "counters:whoami", args: [{}] }],
};

test("a successful Authenticate answers with a Transition that bumps identity and re-runs queries", async () => {
  const h = await startHarness(memoryApp());
  try {
    const r = await h.raw();
    r.connect();
    r.send(whoami);
    const t1 = (await r.next((m) => m.type === "Transition")) as any;
    assert.equal(t1.modifications[0].value, null);
    r.send({ type: "Authenticate", baseVersion: 0, tokenType: "User", value: "user:ada:never" });
    const t2 = (await r.next((m) => m.type === "Transition" && (m as any).endVersion.identity === 1)) as any;
    assert.equal(t2.startVersion.identity, 0);
    assert.equal(t2.modifications[0].value, "ada");
    r.send({
      type: "Authenticate",
      baseVersion: 1,
      tokenType: "Admin",
      value: ADMIN_KEY,
      impersonating: { issuer: "x", subject: "bob" },
    });
    const t3 = (await r.next((m) => m.type === "Transition" && (m as any).endVersion.identity === 2)) as any;
    assert.equal(t3.modifications[0].value, "bob");
    r.send({ type: "Authenticate", baseVersion: 2, tokenType: "None" });
    const t4 = (await r.next((m) => m.type === "Transition" && (m as any).endVersion.identity === 3)) as any;
    assert.equal(t4.modifications[0].value, null);
  } finally {
    await h.close();
  }
});

test("a rejected token or admin key gets AuthError(authUpdateAttempted) and a close", async () => {
  const h = await startHarness(memoryApp());
  try {
    for (const msg of [
      { type: "Authenticate", baseVersion: 0, tokenType: "User", value: "forged" },
      { type: "Authenticate", baseVersion: 0, tokenType: "Admin", value: "wrong-key" },
    ]) {
      const r = await h.raw();
      r.connect();
      r.send(msg);
      const err = (await r.next((m) => m.type === "AuthError")) as any;
      assert.equal(err.authUpdateAttempted, true);
      assert.equal(err.baseVersion, 0);
      assert.ok(!String(err.error).includes(msg.value), "the secret is not echoed");
      await r.waitClosed();
    }
  } finally {
    await h.close();
  }
});

test("an identity that expired while connected: AuthError(authUpdateAttempted:false), close, nothing run", async () => {
  const engine = memoryApp();
  const clock = manualClock();
  const h = await startHarness(engine, { clock: clock.now });
  try {
    const r = await h.raw();
    r.connect();
    r.send({ type: "Authenticate", baseVersion: 0, tokenType: "User", value: `user:eve:${clock.now() + 300}` });
    r.send(whoami);
    await r.next((m) => m.type === "Transition" && (m as any).endVersion.identity === 1);
    clock.advance(300);
    r.send({ type: "Mutation", requestId: 0, udfPath: "counters:inc", args: [{ name: "expired" }] });
    const err = (await r.next((m) => m.type === "AuthError")) as any;
    assert.deepEqual(err, {
      type: "AuthError",
      error: "Convex token identity expired",
      baseVersion: 1,
      authUpdateAttempted: false,
    });
    await r.waitClosed();
    assert.equal(engine.commits.get("counters:inc") ?? 0, 0, "the mutation did not run");
  } finally {
    await h.close();
  }
});

test("official client: setAuth, impersonation and logging out", async () => {
  const h = await startHarness(memoryApp());
  try {
    const client = h.client();
    const seen: Array<string | null> = [];
    const authStates: boolean[] = [];
    let n = 0;
    client.setAuth(
      async () => `user:user${++n}:never`,
      (isAuthenticated) => authStates.push(isAuthenticated),
    );
    client.onUpdate(api.counters!.whoami!, {}, (v: string | null) => seen.push(v));
    await eventually(() => authStates.includes(true), 5000, "authenticated");
    await eventually(() => seen.at(-1)?.startsWith("user") === true, 5000, "identity visible to queries");
    setAdminAuth(client, ADMIN_KEY, { tokenIdentifier: "t|carol", issuer: "t", subject: "carol" });
    await eventually(() => seen.at(-1) === "carol", 5000, "impersonated identity");
    client.client.clearAuth();
    await eventually(() => seen.at(-1) === null, 5000, "logged out");
  } finally {
    await h.close();
  }
});

test("official client: a token that expires while connected is refreshed and the mutation still runs once", async () => {
  const engine = memoryApp();
  const clock = manualClock();
  const h = await startHarness(engine, { clock: clock.now });
  try {
    const client = h.client();
    let calls = 0;
    client.setAuth(async () => (++calls <= 2 ? `user:short${calls}:${clock.now() + 300}` : `user:long${calls}:never`));
    const seen: Array<string | null> = [];
    client.onUpdate(api.counters!.whoami!, {}, (v: string | null) => seen.push(v));
    await eventually(() => seen.at(-1)?.startsWith("short") === true, 5000, "first identity");
    clock.advance(300);
    assert.equal(await client.mutation(api.counters!.inc!, { name: "after-expiry" }), 1);
    await eventually(() => seen.at(-1)?.startsWith("long") === true, 10_000, "refreshed identity");
    assert.equal(engine.commits.get("counters:inc"), 1);
    assert.ok(h.sync.stats().authErrors >= 1);
  } finally {
    await h.close();
  }
});
