/** Common multi-step flows over the Frontend API. */
import assert from "node:assert/strict";
import type { FapiClient } from "./fapi-client.js";
import type { TestServer } from "./server.js";

export const PASSWORD = "correct horse battery staple";

/** Sign-up with e-mail + password, verified with the code from the dev inbox. Returns the session id. */
export async function signUp(
  c: FapiClient,
  server: TestServer,
  email: string,
  extra: Record<string, string> = {},
): Promise<string> {
  const created = await c.post("/v1/client/sign_ups", { email_address: email, password: PASSWORD, ...extra });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const id = created.body.response.id;
  const prep = await c.post(`/v1/client/sign_ups/${id}/prepare_verification`, { strategy: "email_code" });
  assert.equal(prep.status, 200, JSON.stringify(prep.body));
  const code = (await server.inbox()).find((m) => m.to === email)!.code!;
  const done = await c.post(`/v1/client/sign_ups/${id}/attempt_verification`, { strategy: "email_code", code });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal(done.body.response.status, "complete");
  return done.body.response.created_session_id;
}

/** Password sign-in in one call. Returns the response. */
export async function signIn(c: FapiClient, identifier: string, password = PASSWORD) {
  return c.post("/v1/client/sign_ins", { identifier, password, strategy: "password" });
}
