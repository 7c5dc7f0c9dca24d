/**
 * Found by fuzzing: arguments (or an admin's impersonated identity) nested far past the limit
 * reached a function thread, whose copy of the message recursed until the process crashed, and
 * the subscription key (stack overflow). Now the call fails with Convex's "too nested" error, the
 * identity is refused, and the server keeps serving.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { stableStringify } from "../../src/subscriptions/query-key.js";
import { parseAuthorizationHeader } from "../../src/auth/index.js";
import { ADMIN_KEY, startHarness } from "./harness.js";
import { startRealEngine } from "./real-engine.js";

const DEPTH = 50_000;
const deepText = "[".repeat(DEPTH) + "1" + "]".repeat(DEPTH);

test("a subscription key of a value nested 50k deep is computed without exhausting the stack", () => {
  const deep = JSON.parse(deepText);
  assert.equal(stableStringify({ a: deep }), stableStringify({ a: JSON.parse(deepText) }));
  assert.notEqual(stableStringify([[1]]), stableStringify([[2]]));
});

test("function threads: a mutation and a query with arguments nested 50k deep fail cleanly", async () => {
  const real = await startRealEngine({ workers: true });
  const h = await startHarness(real.engine);
  try {
    const r = await h.raw();
    r.connect();
    r.ws.send(`{"type":"Mutation","requestId":1,"udfPath":"counters:inc","args":[{"name":${deepText}}]}`);
    r.ws.send(
      `{"type":"ModifyQuerySet","baseVersion":0,"newVersion":1,"modifications":[{"type":"Add","queryId":0,"udfPath":"counters:get","args":[{"name":${deepText}}]}]}`,
    );
    const m = await r.next((x) => x.type === "MutationResponse", 30_000);
    assert.equal(m.success, false);
    assert.match(String(m.result), /Value is too nested \(nested 65 levels deep > maximum nesting 64\)/);
    const t = (await r.next(
      (x) => x.type === "Transition" && (x.modifications as unknown[]).length > 0,
      30_000,
    )) as unknown as { modifications: Array<{ type: string; errorMessage: string }> };
    assert.equal(t.modifications[0]!.type, "QueryFailed");
    assert.match(t.modifications[0]!.errorMessage, /too nested/);
    r.send({ type: "Mutation", requestId: 2, udfPath: "counters:inc", args: [{ name: "after" }] });
    const ok = await r.next((x) => x.type === "MutationResponse" && x.requestId === 2, 30_000);
    assert.equal(ok.result, 1);
    assert.equal(real.engine.workersReplaced, 0);
  } finally {
    await h.close();
    await real.close();
  }
});

test("function threads: an admin acting as an identity nested 50k deep is refused, the server keeps serving", async () => {
  const real = await startRealEngine({ workers: true });
  const h = await startHarness(real.engine);
  try {
    const r = await h.raw();
    r.connect();
    r.ws.send(
      `{"type":"Authenticate","baseVersion":0,"tokenType":"Admin","value":"${ADMIN_KEY}","impersonating":{"subject":"s","issuer":"i","name":${deepText}}}`,
    );
    r.send({
      type: "ModifyQuerySet",
      baseVersion: 0,
      newVersion: 1,
      modifications: [{ type: "Add", queryId: 0, udfPath: "counters:whoami", args: [{}] }],
    });
    const err = await r.next((x) => x.type === "AuthError", 30_000);
    assert.match(String(err.error), /Impersonated identity is not a valid value: Value is too nested/);
    await r.waitClosed(30_000);
    const ok = await h.raw();
    ok.connect();
    ok.send({ type: "Mutation", requestId: 1, udfPath: "counters:inc", args: [{ name: "after-admin" }] });
    assert.equal((await ok.next((x) => x.type === "MutationResponse", 30_000)).result, 1);
    assert.equal(real.engine.workersReplaced, 0);
  } finally {
    await h.close();
    await real.close();
  }
});

test("HTTP: an acting-as identity past the nesting limit is a 400 InvalidImpersonation", () => {
  const deep = Buffer.from(`{"subject":"s","issuer":"i","name":${"[".repeat(100)}1${"]".repeat(100)}}`).toString(
    "base64",
  );
  assert.throws(
    () => parseAuthorizationHeader(`Convex key:${deep}`),
    (e: any) => e.code === "InvalidImpersonation" && /too nested/.test(e.message),
  );
  const fine = Buffer.from(`{"subject":"s","issuer":"i","name":[[1]]}`).toString("base64");
  assert.equal((parseAuthorizationHeader(`Convex key:${fine}`) as any).actingAs.subject, "s");
});
