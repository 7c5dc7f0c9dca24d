/**
 * Fuzzing the identity service's Frontend API (/v1/…) and Backend API (/backend/v1/…): random
 * routes with real and bogus ids, methods, content types, credentials and bodies. No request gets a
 * 5xx, the service logs no error, a refused request changes no stored row, and a signed-in client
 * alongside keeps minting session tokens.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import fc from "fast-check";
import { join } from "node:path";
import type { Logger } from "@tandem/shared";
import { startTestServer, type TestServer } from "../../packages/identity/test/support/server.js";
import { FapiClient, bapi } from "../../packages/identity/test/support/fapi-client.js";
import { signUp } from "../../packages/identity/test/support/flows.js";
import { inputCounter, runs } from "./support/fuzz.js";
import { corruptText, hostileValue, mutateObject } from "./support/values.js";

const inputs = inputCounter("identity-api");
const errors: string[] = [];
const logger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error: (msg, fields) =>
    void errors.push(
      `${msg} ${JSON.stringify(fields ?? {}, (_k, v) => (v instanceof Error ? v.stack : v)).slice(0, 600)}`,
    ),
  child: () => logger,
};

let server: TestServer;
let db: Database.Database;
let bystander: FapiClient;
let sessionId: string;
let userId: string;

before(async () => {
  server = await startTestServer({
    logger,
    security: { perIpLimit: false, perIdentifierLimit: false },
    instance: "development",
  });
  bystander = new FapiClient(server.url, "header");
  sessionId = await signUp(bystander, server, "bystander@example.com");
  const users = await bapi(server.url, server.secretKey, "GET", "/users");
  userId = users.body[0].id;
  db = new Database(join(server.dataDir, "identity.sqlite"), { readonly: true });
});
after(async () => {
  db?.close();
  await server?.stop();
});

/** Every row of every table, in a stable text form. */
function dump(): string {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{
    name: string;
  }>;
  return JSON.stringify(
    tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}" ORDER BY rowid`).all()]),
  );
}

const FAPI = [
  "GET /v1/environment",
  "PATCH /v1/environment",
  "GET /v1/client",
  "POST /v1/client",
  "PUT /v1/client",
  "DELETE /v1/client",
  "POST /v1/client/sign_ins",
  "GET /v1/client/sign_ins/:id",
  "POST /v1/client/sign_ins/:id/prepare_first_factor",
  "POST /v1/client/sign_ins/:id/attempt_first_factor",
  "POST /v1/client/sign_ins/:id/reset_password",
  "POST /v1/client/sign_ups",
  "GET /v1/client/sign_ups/:id",
  "PATCH /v1/client/sign_ups/:id",
  "POST /v1/client/sign_ups/:id/prepare_verification",
  "POST /v1/client/sign_ups/:id/attempt_verification",
  "DELETE /v1/client/sessions",
  "GET /v1/client/sessions/:id",
  "POST /v1/client/sessions/:id/touch",
  "POST /v1/client/sessions/:id/end",
  "POST /v1/client/sessions/:id/remove",
  "POST /v1/client/sessions/:id/tokens",
  "POST /v1/client/sessions/:id/tokens/:id",
  "GET /v1/me",
  "PATCH /v1/me",
  "DELETE /v1/me",
  "POST /v1/me/change_password",
  "GET /v1/nope",
  "POST /.well-known/jwks.json",
];
const BAPI = [
  "GET /jwks",
  "GET /users",
  "POST /users",
  "GET /users/count",
  "GET /users/:id",
  "PATCH /users/:id",
  "DELETE /users/:id",
  "PATCH /users/:id/metadata",
  "PUT /users/:id/metadata",
  "POST /users/:id/ban",
  "POST /users/:id/unban",
  "POST /users/:id/lock",
  "POST /users/:id/unlock",
  "POST /users/:id/verify_password",
  "GET /sessions",
  "GET /sessions/:id",
  "POST /sessions/:id/revoke",
  "POST /sessions/:id/tokens",
  "POST /sessions/:id/tokens/:id",
  "GET /jwt_templates",
  "POST /jwt_templates",
  "GET /jwt_templates/:id",
  "PATCH /jwt_templates/:id",
  "DELETE /jwt_templates/:id",
].map((r) => r.replace(" /", " /backend/v1/"));

const id = fc.oneof(
  fc.constantFrom(
    "sia_doesnotexist",
    "sua_x",
    "sess_x",
    "user_x",
    "convex",
    "%00",
    "..%2F..%2Fetc",
    "%E0%A4%A",
    "a".repeat(3000),
  ),
  fc.string({ maxLength: 24 }).map(encodeURIComponent),
  fc.constant("<user>"),
);
const fields = fc.dictionary(
  fc.constantFrom(
    "email_address",
    "identifier",
    "password",
    "strategy",
    "code",
    "first_name",
    "last_name",
    "username",
    "new_password",
    "public_metadata",
    "unsafe_metadata",
    "name",
    "claims",
    "lifetime",
    "limit",
    "offset",
    "order_by",
    "external_id",
    "skip_password_checks",
    "banned",
    "__proto__",
  ),
  hostileValue,
  { maxKeys: 5 },
);

const request = fc.record({
  route: fc.oneof(fc.constantFrom(...FAPI), fc.constantFrom(...BAPI)),
  ids: fc.array(id, { minLength: 2, maxLength: 2 }),
  query: fc.constantFrom(
    "",
    "?_is_native=1",
    "?_method=DELETE",
    "?limit=-1&offset=abc",
    "?order_by=%00",
    "?__clerk_api_version=x",
  ),
  contentType: fc.constantFrom(
    "application/x-www-form-urlencoded",
    "application/json",
    "text/plain",
    "multipart/form-data; boundary=--x",
    "",
  ),
  credential: fc.constantFrom("none", "secret", "bystander", "junk"),
  body: fc.oneof(
    { weight: 4, arbitrary: fields.map((f) => ({ kind: "fields" as const, f })) },
    {
      weight: 2,
      arbitrary: fields
        .chain((f) => (Object.keys(f).length ? mutateObject(f) : fc.constant(f)))
        .map((f) => ({ kind: "json" as const, f })),
    },
    {
      weight: 1,
      arbitrary: fields.chain((f) => corruptText(JSON.stringify(f))).map((t) => ({ kind: "text" as const, t })),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 1, max: 300_000 })
        .map((n) => ({ kind: "text" as const, t: `{"email_address":"${"a".repeat(n)}@x.com"}` })),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 10, max: 50_000 })
        .map((d) => ({ kind: "text" as const, t: `{"public_metadata":${'{"a":'.repeat(d)}1${"}".repeat(d)}}` })),
    },
  ),
});

type Body = { kind: "fields" | "json"; f: Record<string, unknown> } | { kind: "text"; t: string };

function encode(body: Body, type: string): string {
  if (body.kind === "text") return body.t;
  if (body.kind === "json" || type.includes("json")) return JSON.stringify(body.f);
  return new URLSearchParams(
    Object.entries(body.f).map(([k, v]) => [k, typeof v === "string" ? v : (JSON.stringify(v) ?? "")]),
  ).toString();
}

test("the Frontend and Backend APIs: no 5xx, no logged error, refused requests change nothing, the bystander keeps its session", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 4 }), async (reqs) => {
      for (const r of reqs) {
        inputs.add();
        errors.length = 0;
        const [method, template] = r.route.split(" ") as [string, string];
        let k = 0;
        const path = template.replace(/:id/g, () => {
          const v = r.ids[k++]!;
          return v === "<user>" ? (template.includes("/users") ? userId : sessionId) : v;
        });
        const headers: Record<string, string> = {};
        if (r.contentType) headers["content-type"] = r.contentType;
        if (r.credential === "secret") headers.authorization = `Bearer ${server.secretKey}`;
        if (r.credential === "bystander") headers.authorization = bystander.token!;
        if (r.credential === "junk") headers.authorization = "Bearer sk_test_junk";
        const before = dump();
        const res = await fetch(server.url + path + r.query, {
          method,
          headers,
          ...(method === "GET" ? {} : { body: encode(r.body as Body, r.contentType) }),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await res.text();
        const what = `${method} ${path.slice(0, 100)}${r.query} (${r.credential}) ${JSON.stringify(r.body).slice(0, 200)}`;
        assert.ok(res.status < 500, `${res.status} ${text.slice(0, 300)} for ${what}`);
        assert.deepEqual(errors, [], `no logged error for ${what}`);
        if (res.status >= 400)
          assert.equal(dump(), before, `refused ${res.status} ${text.slice(0, 200)} changed nothing: ${what}`);
        // A request with the bystander's own token may legitimately end its session: start another.
        if (r.credential === "bystander" && res.status < 400 && method !== "GET") {
          bystander = new FapiClient(server.url, "header");
          const signIn = await bystander.post("/v1/client/sign_ins", {
            identifier: "bystander@example.com",
            password: "correct horse battery staple",
            strategy: "password",
          });
          if (signIn.status === 200) sessionId = signIn.body.response.created_session_id;
        }
      }
      if (sessionId) {
        const t = await bystander.post(`/v1/client/sessions/${sessionId}/tokens`);
        assert.ok(
          t.status === 200 || t.status === 404 || t.status === 401 || t.status === 403,
          `bystander token: ${t.status}`,
        );
      }
    }),
    runs(40),
  );
});
