/** The identity service's `/health`, `/ready` and `/metrics` (docs/operations.md). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startTestServer } from "./support/server.js";
import { FapiClient } from "./support/fapi-client.js";
import { signUp } from "./support/flows.js";

const sample = (text: string, name: string) =>
  Number(new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, "m").exec(text)?.[1] ?? "0");

test("identity: ready while serving, metrics with the secret key count token mints", async (t) => {
  const server = await startTestServer();
  t.after(() => server.stop());
  const ready = await fetch(`${server.url}/ready`);
  assert.deepEqual([ready.status, await ready.text()], [200, "ready"]);
  assert.equal((await fetch(`${server.url}/health`)).status, 200);

  assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
  assert.equal(
    (await fetch(`${server.url}/metrics`, { headers: { Authorization: "Bearer sk_test_wrong" } })).status,
    401,
  );
  const scrape = async () => {
    const res = await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${server.secretKey}` } });
    assert.equal(res.status, 200);
    return res.text();
  };
  const before = await scrape();
  assert.equal(sample(before, "tandem_identity_webhook_backlog"), 0);

  const c = new FapiClient(server.url, "header");
  await c.get("/v1/client");
  const sid = await signUp(c, server, "ops@example.com", {});
  assert.equal((await c.post(`/v1/client/sessions/${sid}/tokens`)).status, 200);
  assert.equal((await c.post(`/v1/client/sessions/${sid}/tokens/convex`)).status, 200);
  assert.equal((await c.post(`/v1/client/sessions/sess_nope/tokens`)).status >= 400, true);
  const after = await scrape();
  assert.equal(
    sample(after, 'tandem_identity_token_mints_total{api="frontend",outcome="success"}') -
      sample(before, 'tandem_identity_token_mints_total{api="frontend",outcome="success"}'),
    2,
    after,
  );
  assert.equal(sample(after, 'tandem_identity_token_mints_total{api="frontend",outcome="failure"}'), 1, after);
});
