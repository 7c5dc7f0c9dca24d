/**
 * Fuzzing the HTTP function API (/api/query, /api/mutation, /api/action, /api/function, /api/run/…,
 * /api/query_batch) and the push API (/api/deploy2/…): random methods, content types, headers and
 * bodies (valid, one field mutated, corrupted, huge, deeply nested). No request gets a 5xx, the
 * server logs no internal error, a refused request changes no data, and the official client
 * subscribed alongside keeps getting correct updates.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { startFuzzBackend, type FuzzBackend } from "./support/backend.js";
import { udfPath } from "./support/frames.js";
import { fullCheck, inputCounter, runs } from "./support/fuzz.js";
import { corruptText, hostileArgs, hostileValue, mutateObject } from "./support/values.js";

const inputs = inputCounter("http-api");
let fb: FuzzBackend;

before(async () => {
  fb = await startFuzzBackend();
});
after(async () => {
  await fb?.close();
});

interface Req {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | null;
}

const contentType = fc.constantFrom(
  "application/json",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "",
  "application/json; charset=latin1",
);
const authHeader = fc.option(
  fc.oneof(
    fc.constantFrom(
      "Bearer ",
      "Bearer x.y.z",
      "Convex fuzz-admin:wrong",
      "Basic Zm9vOmJhcg==",
      "Bearer eyJhbGciOiJub25lIn0.e30.",
    ),
    fc.string({ maxLength: 30 }),
  ),
  { nil: undefined },
);

const functionBody = fc.record(
  {
    path: udfPath,
    args: hostileArgs,
    format: fc.constantFrom<unknown>("json", "convex_encoded_json", "xml", 5, undefined),
  },
  { requiredKeys: ["path", "args"] },
);
const bodyText = (base: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<string | null> =>
  fc.oneof(
    { weight: 4, arbitrary: base.map((b) => JSON.stringify(b)) },
    { weight: 4, arbitrary: base.chain(mutateObject).map((b) => JSON.stringify(b)) },
    { weight: 1, arbitrary: base.chain((b) => corruptText(JSON.stringify(b))) },
    { weight: 1, arbitrary: hostileValue.map((v) => JSON.stringify(v) ?? "null") },
    { weight: 1, arbitrary: fc.constant(null) },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 10, max: 100_000 })
        .map((d) => `{"path":"channels:create","args":{"name":${"[".repeat(d)}1${"]".repeat(d)}}}`),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(1_100_000, 17_000_000)
        .map((n) => JSON.stringify({ path: "channels:create", args: { name: "x".repeat(n) } })),
    },
  );

const functionRequest: fc.Arbitrary<Req> = fc.oneof(
  fc.record({
    method: fc.constantFrom("POST", "POST", "POST", "GET", "PUT", "DELETE"),
    path: fc.constantFrom(
      "/api/query",
      "/api/mutation",
      "/api/action",
      "/api/function",
      "/api/query_batch",
      "/api/query_ts",
      "/api/query_at_ts",
    ),
    headers: fc.record({ "content-type": contentType, authorization: authHeader }, { requiredKeys: [] }),
    body: bodyText(functionBody as fc.Arbitrary<Record<string, unknown>>),
  }),
  fc.record({
    method: fc.constantFrom("POST", "GET"),
    path: fc
      .tuple(udfPath, fc.option(fc.string({ maxLength: 20 })))
      .map(
        ([p, q]) =>
          `/api/run/${encodeURIComponent(p).replace(/%2F/g, "/").replace(":", "/")}${q ? `?args=${encodeURIComponent(q)}` : ""}`,
      ),
    headers: fc.record({ "content-type": contentType, authorization: authHeader }, { requiredKeys: [] }),
    body: bodyText(
      fc.record({ args: hostileArgs, format: fc.constantFrom<unknown>("json", "x") }) as fc.Arbitrary<
        Record<string, unknown>
      >,
    ),
  }),
);

const pushPaths = [
  "/api/deploy2/start_push",
  "/api/deploy2/evaluate_push",
  "/api/deploy2/evaluate_schema",
  "/api/deploy2/wait_for_schema",
  "/api/deploy2/finish_push",
  "/api/deploy2/report_push_completed",
  "/api/get_config_hashes",
  "/api/v1/get_canonical_urls",
  // The other admin endpoints the CLI calls (env, import, export).
  "/api/update_environment_variables",
  "/api/import/start_upload",
  "/api/import/upload_part?uploadToken=x&partNumber=1",
  "/api/import/upload_part?partNumber=-1",
  "/api/import/finish_upload",
  "/api/perform_import",
  "/api/export/request/zip",
  "/api/export/zip/123",
  "/api/export/zip/%00",
];
const pushBody = fc.record(
  {
    adminKey: fc.constantFrom("fuzz-admin:key", "fuzz-admin:wrong", ""),
    dryRun: fc.boolean(),
    functions: fc.constantFrom("convex", "", "../../etc"),
    appDefinition: hostileValue,
    componentDefinitions: fc.oneof(fc.constant([]), hostileValue),
    nodeDependencies: fc.oneof(fc.constant([]), hostileValue),
    schemaChange: hostileValue,
    startPush: hostileValue,
    config: hostileValue,
    modules: fc.array(
      fc.record({
        path: fc.string({ maxLength: 20 }),
        source: fc.string({ maxLength: 200 }),
        environment: fc.constantFrom("isolate", "node", "x"),
      }),
      { maxLength: 3 },
    ),
    timeoutMs: fc.integer({ min: -5, max: 50 }),
    changes: fc.array(
      fc.record({
        name: fc.oneof(fc.constantFrom("A", "CONVEX_SITE_URL", "", "1X"), fc.string({ maxLength: 10 })),
        value: fc.oneof(fc.string({ maxLength: 10 }), hostileValue),
      }),
      { maxLength: 3 },
    ),
    uploadToken: fc.oneof(fc.string({ maxLength: 10 }), hostileValue),
    importId: fc.oneof(fc.string({ maxLength: 10 }), hostileValue),
    format: fc.constantFrom("csv", "jsonl", "json", "zip", "x"),
    tableName: fc.constantFrom("channels", "_tables", "messages", "", "x y"),
    mode: fc.constantFrom("append", "replace", "requireEmpty", "x"),
    partTokens: fc.oneof(fc.constant([]), hostileValue),
  },
  { requiredKeys: [] },
);
const pushRequest: fc.Arbitrary<Req> = fc.record({
  method: fc.constantFrom("POST", "POST", "GET"),
  path: fc.constantFrom(...pushPaths),
  // The push API and the other admin endpoints.
  headers: fc.record(
    { "content-type": contentType, authorization: fc.oneof(authHeader, fc.constant("Convex fuzz-admin:key")) },
    { requiredKeys: [] },
  ),
  body: bodyText(pushBody as fc.Arbitrary<Record<string, unknown>>),
});

async function send(r: Req): Promise<{ status: number; json: Record<string, unknown> | null }> {
  const headers = Object.fromEntries(
    Object.entries(r.headers).filter(([, v]) => v !== undefined && /^[\t\x20-\x7e]*$/.test(v)),
  );
  const hasBody = r.body !== null && r.method !== "GET";
  const res = await fetch(fb.backend.url + r.path, {
    method: r.method,
    headers,
    ...(hasBody ? { body: r.body! } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let json: Record<string, unknown> | null = null;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = null;
  }
  return { status: res.status, json };
}

/** A request the server turned down: an HTTP error, or a function error in the reply. */
const refused = (status: number, json: Record<string, unknown> | null) => status >= 400 || json?.status === "error";

async function fuzzOne(r: Req): Promise<void> {
  inputs.add();
  fb.errors.length = 0;
  const ts = fb.backend.storage.latestTs();
  const dump = fullCheck(inputs.count) ? await fb.dump() : null;
  const { status, json } = await send(r);
  const what = `${r.method} ${r.path} ${String(r.body).slice(0, 300)}`;
  assert.ok(status < 500, `${status} ${JSON.stringify(json).slice(0, 300)} for ${what}`);
  assert.deepEqual(fb.errors, [], `no internal error for ${what}`);
  // An action may commit mutations before it fails; anything else refused must leave no trace.
  const mayHaveRun =
    r.path.includes("action") ||
    r.path.includes("sendTwice") ||
    r.path.includes("function") ||
    r.path.startsWith("/api/run/");
  if (refused(status, json) && !mayHaveRun) {
    assert.equal(fb.backend.storage.latestTs(), ts, `nothing committed by refused ${what}`);
    if (dump !== null) assert.equal(await fb.dump(), dump);
  }
}

test("the function API: no 5xx, no internal error, refused requests change nothing, bystander served", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(functionRequest, { minLength: 1, maxLength: 4 }), async (reqs) => {
      for (const r of reqs) await fuzzOne(r);
      await fb.bystanderStillServed();
    }),
    runs(20),
  );
});

test("the push and admin APIs: no 5xx, no internal error, refused requests change nothing, bystander served", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(pushRequest, { minLength: 1, maxLength: 4 }), async (reqs) => {
      for (const r of reqs) await fuzzOne(r);
      await fb.bystanderStillServed();
    }),
    runs(30),
  );
});
