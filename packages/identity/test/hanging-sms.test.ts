/**
 * An SMS relay that hangs blocks no other user (issue 24, item 4): the user who asked for a code
 * gets `sms_delivery_unavailable` once the relay's timeout passes, while everyone else's requests
 * are served meanwhile; a relay that answers again delivers the next code.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type ServerResponse } from "node:http";
import { startTestServer } from "./support/server.js";
import { bapi, FapiClient } from "./support/fapi-client.js";
import { signIn, PASSWORD } from "./support/flows.js";

const open = { perIpLimit: false, perIdentifierLimit: false } as const;

test("a hanging SMS relay fails only the request that texts, after its timeout; other users are served", async (t) => {
  let hang = true;
  const held: ServerResponse[] = [];
  const texts: string[] = [];
  const relay = createServer((req, res) => {
    let data = "";
    req.on("data", (c) => (data += c));
    req.on("end", () => {
      if (hang) held.push(res);
      else {
        texts.push(JSON.parse(data).message);
        res.writeHead(200).end();
      }
    });
  });
  await new Promise<void>((r) => relay.listen(0, "127.0.0.1", r));
  const webhookUrl = `http://127.0.0.1:${(relay.address() as { port: number }).port}/sms`;
  const timeoutMs = 5_000;
  const server = await startTestServer({ instance: "production", sms: { webhookUrl, timeoutMs }, security: open });
  t.after(async () => {
    await server.stop();
    for (const r of held) r.destroy();
    relay.close();
  });

  const users = ["pat", "sam", "kim", "lee"];
  for (const u of users) {
    const r = await bapi(server.url, server.secretKey, "POST", "/users", {
      email_address: [`${u}@example.com`],
      password: PASSWORD,
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  const pat = new FapiClient(server.url, "header");
  assert.equal((await signIn(pat, "pat@example.com")).body.response.status, "complete");
  const phone = await pat.post("/v1/me/phone_numbers", { phone_number: "+15555550100" });
  assert.equal(phone.status, 200, JSON.stringify(phone.body));
  const prepare = () =>
    pat.post(`/v1/me/phone_numbers/${phone.body.response.id}/prepare_verification`, { strategy: "phone_code" });

  const started = Date.now();
  let answered = false;
  const texting = prepare().then((r) => ((answered = true), { r, ms: Date.now() - started }));
  // While that request waits on the relay, the other users sign in.
  const others = await Promise.all(
    users.slice(1).map(async (u) => {
      const r = await signIn(new FapiClient(server.url, "header"), `${u}@example.com`);
      return { status: r.body.response.status as string };
    }),
  );
  for (const o of others) assert.equal(o.status, "complete");
  assert.equal(answered, false, "the other sign-ins were served while the text was still waiting on the relay");
  assert.equal(held.length, 1, "the relay holds the one text");

  const { r, ms } = await texting;
  assert.equal(r.status, 503, JSON.stringify(r.body));
  assert.equal(r.body.errors[0].code, "sms_delivery_unavailable");
  assert.ok(ms >= timeoutMs - 50 && ms < timeoutMs + 5_000, `gave up after ${ms} ms (timeout ${timeoutMs})`);

  hang = false;
  assert.equal((await prepare()).status, 200);
  assert.equal(texts.length, 1);
  assert.match(texts[0]!, /\d{6}/);
});
