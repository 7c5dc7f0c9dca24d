/**
 * A webhook receiver that hangs or answers slowly blocks nobody else (issue 24, item 4): the
 * outbox keeps delivering to the other endpoints, the APIs keep answering, and each attempt to the
 * hanging receiver ends at its timeout and is retried.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { createServer } from "node:http";
import { startTestServer } from "./support/server.js";
import { bapi } from "./support/fapi-client.js";
import { WebhookReceiver } from "./support/webhook-receiver.js";

/** Accepts TCP connections (HTTP requests) and never answers. */
async function hangingReceiver() {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on("error", () => {});
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hook`,
    accepted: () => accepted,
    open: () => sockets.size,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Answers 200 after `delayMs`, reading the request first. */
async function slowReceiver(delayMs: number) {
  let answered = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () =>
      setTimeout(() => {
        answered++;
        res.end();
      }, delayMs),
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hook`,
    answered: () => answered,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function addEndpoint(server: { url: string; secretKey: string }, url: string) {
  const r = await bapi(server.url, server.secretKey, "POST", "/webhooks/endpoints", { url, events: ["user.created"] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body as { id: string; secret: string };
}

async function createUsers(server: { url: string; secretKey: string }, prefix: string, n: number) {
  for (let i = 0; i < n; i++) {
    const r = await bapi(server.url, server.secretKey, "POST", "/users", {
      email_address: [`${prefix}${i}@example.com`],
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
}

test("a receiver that never answers holds a few slots; other endpoints and the APIs are served", async (t) => {
  // Attempts to the hanging receiver would end after 60 s: longer than this test.
  const server = await startTestServer({ webhookTimeoutMs: 60_000 });
  const hanging = await hangingReceiver();
  const slow = await slowReceiver(500);
  const good = await new WebhookReceiver().start();
  t.after(async () => {
    await hanging.close();
    await slow.close();
    await server.stop();
    await good.stop();
  });
  await addEndpoint(server, hanging.url);
  await addEndpoint(server, slow.url);
  good.secret = (await addEndpoint(server, good.url)).secret;

  // Each user is its own ordering line: 40 lines to the hanging receiver could fill every slot.
  const started = Date.now();
  await createUsers(server, "first", 40);
  await good.waitFor((r) => r.length >= 40, "the good receiver's 40 deliveries", 30_000);
  // More events while the hanging receiver holds its slots: still delivered promptly.
  await createUsers(server, "second", 10);
  await good.waitFor((r) => r.length >= 50, "the good receiver's 50 deliveries", 30_000);
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 45_000, `deliveries took ${elapsed} ms`);
  assert.equal(good.received.filter((r) => r.verified).length, 50);
  assert.ok(hanging.accepted() <= 16, `at most 16 attempts at once to one endpoint (${hanging.accepted()})`);
  assert.equal(hanging.open(), hanging.accepted(), "every attempt to the hanging receiver is still waiting");
  // The slow receiver gets its deliveries too, at its pace.
  const end = Date.now() + 30_000;
  while (slow.answered() < 50) {
    assert.ok(Date.now() < end, `slow receiver answered ${slow.answered()} of 50`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // The Backend API answers meanwhile.
  const list = await bapi(server.url, server.secretKey, "GET", "/users?limit=1");
  assert.equal(list.status, 200);
});

test("an attempt to a hanging receiver ends at its timeout and is retried", async (t) => {
  const server = await startTestServer({ webhookTimeoutMs: 300, webhookRetryMs: 50 });
  const hanging = await hangingReceiver();
  t.after(async () => {
    await hanging.close();
    await server.stop();
  });
  const ep = await addEndpoint(server, hanging.url);
  await createUsers(server, "timeout", 1);
  const end = Date.now() + 30_000;
  let attempts = 0;
  while (attempts < 3) {
    assert.ok(Date.now() < end, `only ${attempts} attempts recorded`);
    await new Promise((r) => setTimeout(r, 100));
    const log = await bapi(server.url, server.secretKey, "GET", `/webhooks/endpoints/${ep.id}/deliveries`);
    assert.equal(log.status, 200, JSON.stringify(log.body));
    const d = log.body.data[0];
    attempts = d?.attempts ?? 0;
    if (attempts) assert.equal(d.last_status_code, null, "no answer: no status code");
  }
  assert.ok(hanging.accepted() >= 3);
});
