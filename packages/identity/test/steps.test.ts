/**
 * The Frontend API's route steps, through HTTP: a record of another client is not found, a step
 * out of order is refused with the state machine's error, a finished sign-in refuses a repeated
 * attempt; and a malformed step list fails when the table is built, not per request.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startTestServer } from "./support/server.js";
import { FapiClient } from "./support/fapi-client.js";
import { signIn, signUp, PASSWORD } from "./support/flows.js";
import { pipeline } from "../src/fapi/steps/pipeline.js";
import { loadSignIn } from "../src/fapi/steps/load-own.js";
import { rateLimitIdentifier, rateLimitIp } from "../src/fapi/steps/rate-limit.js";

test("records belong to their client; steps out of order get the state machine's error", async (t) => {
  const server = await startTestServer();
  t.after(() => server.stop());
  const alice = new FapiClient(server.url, "header");
  const sessionId = await signUp(alice, server, "steps@example.com");
  const mallory = new FapiClient(server.url, "header");
  await mallory.post("/v1/client");

  const si = await alice.post("/v1/client/sign_ins", { identifier: "steps@example.com" });
  const siId = si.body.response.id as string;
  const su = await alice.post("/v1/client/sign_ups", { email_address: "other@example.com" });
  const suId = su.body.response.id as string;
  for (const [path, param] of [
    [`/v1/client/sign_ins/${siId}`, "sign_in_id"],
    [`/v1/client/sign_ups/${suId}`, "sign_up_id"],
    [`/v1/client/sessions/${sessionId}`, "session_id"],
  ] as const) {
    const theirs = await mallory.get(path);
    assert.equal(theirs.status, 404, path);
    assert.equal(theirs.body.errors[0].code, "resource_not_found");
    assert.equal(theirs.body.errors[0].meta.param_name, param);
    assert.equal((await alice.get(path)).status, 200, `${path} is the owner's`);
  }
  const stolenToken = await mallory.post(`/v1/client/sessions/${sessionId}/tokens`);
  assert.equal(stolenToken.body.errors[0].code, "session_not_found");

  const early = await alice.post(`/v1/client/sign_ins/${siId}/reset_password`, { password: "a brand new password" });
  assert.equal(early.body.errors[0].code, "sign_in_not_ready");
  const badStrategy = await alice.post(`/v1/client/sign_ins/${siId}/attempt_first_factor`, {
    strategy: "phone_code",
    code: "123456",
  });
  assert.equal(badStrategy.body.errors[0].code, "strategy_for_user_invalid");
  const done = await alice.post(`/v1/client/sign_ins/${siId}/attempt_first_factor`, {
    strategy: "password",
    password: PASSWORD,
  });
  assert.equal(done.body.response.status, "complete");
  const again = await alice.post(`/v1/client/sign_ins/${siId}/attempt_first_factor`, {
    strategy: "password",
    password: PASSWORD,
  });
  assert.equal(again.body.errors[0].code, "verification_already_verified");
  const prepareAgain = await alice.post(`/v1/client/sign_ins/${siId}/prepare_first_factor`, { strategy: "email_code" });
  assert.equal(prepareAgain.body.errors[0].code, "sign_in_not_ready");

  const badCreate = await signIn(new FapiClient(server.url, "header"), "steps@example.com", PASSWORD);
  assert.equal(badCreate.body.response.status, "complete");
  const wrongCreateStrategy = await new FapiClient(server.url, "header").post("/v1/client/sign_ins", {
    identifier: "steps@example.com",
    strategy: "oauth_google",
  });
  assert.equal(wrongCreateStrategy.body.errors[0].code, "form_param_value_invalid");
});

test("a finished sign-up refuses further steps", async (t) => {
  const server = await startTestServer();
  t.after(() => server.stop());
  const c = new FapiClient(server.url, "header");
  await signUp(c, server, "finished@example.com");
  const suId = (await c.get("/v1/client")).body.response.sign_up.id as string;
  for (const [method, path] of [
    ["PATCH", `/v1/client/sign_ups/${suId}`],
    ["POST", `/v1/client/sign_ups/${suId}/prepare_verification`],
    ["POST", `/v1/client/sign_ups/${suId}/attempt_verification`],
  ] as const) {
    const r = await c.call(method, path, { strategy: "email_code", code: "123456" });
    assert.equal(r.body.errors[0].code, "sign_up_not_ready", path);
  }
});

test("a step list is checked when the route table is built", () => {
  const endpoint = async () => ({ kind: "client" }) as const;
  assert.throws(
    () => pipeline([rateLimitIp, rateLimitIdentifier, loadSignIn], endpoint),
    /check step must follow the loader/,
  );
  assert.throws(() => pipeline([rateLimitIdentifier], endpoint), /check step must follow the loader/);
  assert.throws(() => pipeline([loadSignIn, loadSignIn], endpoint), /at most one loader/);
  assert.doesNotThrow(() => pipeline([rateLimitIp, loadSignIn, rateLimitIdentifier], endpoint));
});
