/**
 * Bad input gets a clear error for that request and stores nothing: malformed bodies, wrong
 * content types, oversized bodies and fields, invalid e-mails, markup and SQL in names, weak
 * passwords, wrong types.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startTestServer } from "./support/server.js";
import { FapiClient, bapi } from "./support/fapi-client.js";
import { PASSWORD } from "./support/flows.js";

const raw = (url: string, body: string, type: string | null) =>
  fetch(url, { method: "POST", headers: type ? { "content-type": type } : {}, body }).then(async (r) => ({
    status: r.status,
    body: await r.json(),
  }));

test("malformed, mistyped and oversized bodies", async (t) => {
  const server = await startTestServer();
  t.after(() => server.stop());
  const u = `${server.url}/v1/client/sign_ups`;
  let r = await raw(u, "{not json", "application/json");
  assert.equal(r.status, 400);
  assert.equal(r.body.errors[0].code, "request_body_invalid");
  r = await raw(u, "[1,2]", "application/json");
  assert.equal(r.body.errors[0].code, "request_body_invalid");
  r = await raw(u, "email_address=a@b.com", "text/plain");
  assert.equal(r.body.errors[0].code, "unsupported_content_type");
  r = await raw(u, "x=" + "a".repeat(100_000), "application/x-www-form-urlencoded");
  assert.equal(r.status, 413);
  assert.equal(r.body.errors[0].code, "request_body_too_large");
  r = await raw(u, JSON.stringify({ email_address: 42, password: PASSWORD }), "application/json");
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].meta.param_name, "email_address");
  r = await raw(
    u,
    new URLSearchParams({
      email_address: "ok@example.com",
      password: PASSWORD,
      first_name: "J".repeat(5000),
    }).toString(),
    "application/x-www-form-urlencoded",
  );
  assert.equal(r.body.errors[0].code, "form_param_max_length_exceeded");
  r = await raw(
    `${server.url}/v1/client/sign_ins/%E0%A4%A/attempt_first_factor`,
    "strategy=password",
    "application/x-www-form-urlencoded",
  );
  assert.equal(r.status, 404);
  r = await raw(
    `${server.url}/v1/client/sign_ins/sia_doesnotexist/attempt_first_factor`,
    "strategy=password&password=x",
    "application/x-www-form-urlencoded",
  );
  assert.equal(r.status, 404);
  const nothing = await (await fetch(`${server.url}/v1/client`)).json();
  assert.equal(nothing.response, null);
  assert.equal((await bapi(server.url, server.secretKey, "GET", "/users/count")).body.total_count, 0);
});

test("invalid e-mails, markup and SQL in names, weak passwords → 422 and nothing stored", async (t) => {
  const server = await startTestServer();
  t.after(() => server.stop());
  const cases: [Record<string, string>, string, string][] = [
    [{ email_address: "not-an-email" }, "form_param_format_invalid", "email_address"],
    [{ email_address: "a@b" }, "form_param_format_invalid", "email_address"],
    [{ email_address: "<script>@x.com" }, "form_param_format_invalid", "email_address"],
    [{ email_address: "a b@example.com" }, "form_param_format_invalid", "email_address"],
    [{ email_address: "a@@example.com" }, "form_param_format_invalid", "email_address"],
    [{ email_address: "x@example.com'; DROP TABLE users;--" }, "form_param_format_invalid", "email_address"],
    [{ first_name: "<script>alert(1)</script>" }, "form_param_format_invalid", "first_name"],
    [{ last_name: "Robert'); DROP TABLE users;--" }, "form_param_format_invalid", "last_name"],
    [{ first_name: "<b>Jane</b>" }, "form_param_format_invalid", "first_name"],
    [{ username: "a<b>c" }, "form_param_format_invalid", "username"],
    [{ username: "ab" }, "form_username_invalid_length", "username"],
    [{ password: "short" }, "form_password_length_too_short", "password"],
    [{ password: "password123" }, "form_password_pwned", "password"],
    [{ password: "qwertyuiop" }, "form_password_pwned", "password"],
    [{ password: "has\u0000control chars" }, "form_password_not_printable", "password"],
    [{ password: "x".repeat(300) }, "form_password_length_too_long", "password"],
  ];
  for (const [fields, code, param] of cases) {
    const c = new FapiClient(server.url, "header");
    const r = await c.post("/v1/client/sign_ups", {
      email_address: "valid@example.com",
      password: PASSWORD,
      ...fields,
    });
    assert.equal(r.status, 422, JSON.stringify(fields));
    assert.equal(r.body.errors[0].code, code, JSON.stringify(fields));
    assert.equal(r.body.errors[0].meta.param_name, param);
    assert.equal(c.token, undefined, "no client was created");
  }
  assert.equal((await bapi(server.url, server.secretKey, "GET", "/users/count")).body.total_count, 0);
  assert.equal((await server.inbox()).length, 0);

  // The same rules on the Backend API.
  for (const body of [
    { email_address: ["<img src=x>@example.com"] },
    { email_address: ["ok@example.com"], first_name: "'); DELETE FROM users; --" },
    { email_address: ["ok@example.com"], public_metadata: "not an object" },
    { email_address: ["ok@example.com"], password: "12345678" },
  ]) {
    const r = await bapi(server.url, server.secretKey, "POST", "/users", body);
    assert.equal(r.status, 422, JSON.stringify(body));
  }
  assert.equal((await bapi(server.url, server.secretKey, "GET", "/users/count")).body.total_count, 0);
});

test("long, spaced and Unicode names and passwords are fine", async (t) => {
  const server = await startTestServer();
  t.after(() => server.stop());
  const c = new FapiClient(server.url, "header");
  const password = "Ünïcødé pass phrase with spaces and symbols !@#$%^&*() that is well over sixty-four chars";
  const r = await c.post("/v1/client/sign_ups", {
    email_address: "Zoe.O'Brien+tag@Example.co.uk",
    password,
    first_name: "Zoë",
    last_name: "O'Brien-Núñez",
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.response.email_address, "zoe.o'brien+tag@example.co.uk");
  assert.equal(r.body.response.first_name, "Zoë");
  assert.equal(r.body.response.last_name, "O'Brien-Núñez");
});
