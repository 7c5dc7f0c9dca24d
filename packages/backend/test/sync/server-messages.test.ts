/**
 * Every encoder of src/sync/server-messages.ts: its text parses to the `ServerMessage` type it
 * names (exact fields), and the official client's own `parseServerMessage` reads it back.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Timestamp } from "@tandem/storage";
import type { QueryResult } from "../../src/engine/types.js";
import { toSharedResult } from "../../src/subscriptions/shared-result.js";
import * as wire from "../../src/sync/server-messages.js";
import { serverMessageProblems } from "./server-message-check.js";

/** The official client's parser (not in the package's exports map, so loaded by file). */
async function officialParser(): Promise<(m: unknown) => any> {
  const root = dirname(createRequire(import.meta.url).resolve("convex/package.json"));
  const mod = await import(pathToFileURL(join(root, "dist/esm/browser/sync/protocol.js")).href);
  return mod.parseServerMessage;
}

const ts = (n: bigint) => n as Timestamp;
const result = (
  r: Partial<QueryResult> & ({ ok: true; value: unknown } | { ok: false; error: unknown }),
): QueryResult => ({ ts: ts(5n), readSet: [], journal: null, logLines: [], ...r }) as QueryResult;

function encoded(): Array<[string, string]> {
  const v0 = wire.INITIAL_VERSION;
  const v1 = { querySet: 3, identity: 1, ts: 1_733_000_000_000_000_123n };
  const ok = toSharedResult(
    result({ ok: true, value: { a: [1, "é", null, { $integer: "AQAAAAAAAAA=" }] }, logLines: ["[LOG] hi"] }),
    null,
  );
  const failed = toSharedResult(result({ ok: false, error: { message: "Uncaught Error: boom" }, journal: "j" }), null);
  const failedData = toSharedResult(result({ ok: false, error: { message: "no", data: { code: 7 } } }), null);
  const mods = [
    wire.queryRemoved(9),
    wire.queryModification(1, ok),
    wire.queryModification(2, failed),
    wire.queryModification(3, failedData),
  ];
  const big = wire.transitionMessage(
    v0,
    v1,
    [wire.queryModification(4, toSharedResult(result({ ok: true, value: "ü€😀".repeat(400) }), null))],
    null,
  );
  return [
    ["Transition, empty", wire.transitionMessage(v0, v1, [], null)],
    ["Transition with modifications and skew", wire.transitionMessage(v1, { ...v1, ts: v1.ts + 1n }, mods, -12.6)],
    ...wire.transitionChunks(big, 1000, "t-1").map((c, i): [string, string] => [`TransitionChunk ${i}`, c]),
    ["MutationResponse ok", wire.mutationResponse(1, { ok: true, value: 42, logLines: [] }, 77n)],
    [
      "MutationResponse failed",
      wire.mutationResponse(2, { ok: false, error: { message: "bad" }, logLines: ["x"] }, null),
    ],
    [
      "MutationResponse failed with data",
      wire.mutationResponse(3, { ok: false, error: { message: "bad", data: [1] }, logLines: [] }, null),
    ],
    ["ActionResponse ok", wire.actionResponse(4, { ok: true, value: null, logLines: [] })],
    [
      "ActionResponse failed with data",
      wire.actionResponse(5, { ok: false, error: { message: "x", data: "d" }, logLines: [] }),
    ],
    ["AuthError", wire.authError("Convex token identity expired", 2, false)],
    ["FatalError", wire.fatalError("InvalidMessage: nope")],
    ["Ping", wire.PING],
  ];
}

test("every encoder's output has exactly the fields of its ServerMessage type", () => {
  for (const [name, text] of encoded()) {
    assert.deepEqual(serverMessageProblems(JSON.parse(text)), [], `${name}: ${text.slice(0, 300)}`);
  }
});

test("the checker itself rejects a missing field, an extra field and a wrong type", () => {
  assert.notDeepEqual(serverMessageProblems({ type: "FatalError" }), []);
  assert.notDeepEqual(serverMessageProblems({ type: "Ping", extra: 1 }), []);
  assert.notDeepEqual(
    serverMessageProblems({ type: "AuthError", error: "e", baseVersion: -1, authUpdateAttempted: false }),
    [],
  );
  assert.notDeepEqual(
    serverMessageProblems(
      JSON.parse(
        wire.transitionMessage(
          wire.INITIAL_VERSION,
          wire.INITIAL_VERSION,
          ['{"type":"QueryUpdated","queryId":1}'],
          null,
        ),
      ),
    ),
    [],
  );
});

test("the official client's parseServerMessage reads every encoder's output", async () => {
  const parse = await officialParser();
  for (const [name, text] of encoded()) {
    const m = parse(JSON.parse(text));
    assert.equal(typeof m?.type, "string", name);
    if (m.type === "Transition") assert.equal(typeof m.endVersion.ts.toString(), "string");
  }
  const t = parse(
    JSON.parse(
      wire.transitionMessage(wire.INITIAL_VERSION, { querySet: 1, identity: 0, ts: 1_733_000_000_000_000_123n }, [], 3),
    ),
  );
  assert.equal(t.endVersion.ts.toString(), "1733000000000000123", "the client decodes our timestamps to the same u64");
  assert.equal(t.clientClockSkew, 3);
  const mr = parse(JSON.parse(wire.mutationResponse(1, { ok: true, value: 1, logLines: [] }, 2n ** 63n + 5n)));
  assert.equal(BigInt.asUintN(64, BigInt(mr.ts.toString())), 2n ** 63n + 5n);
});

test("chunks concatenate to the Transition they were cut from", () => {
  const all = encoded()
    .filter(([n]) => n.startsWith("TransitionChunk"))
    .map(([, t]) => JSON.parse(t));
  assert.ok(all.length > 1);
  const whole = JSON.parse(all.map((c) => c.chunk).join(""));
  assert.deepEqual(serverMessageProblems(whole), []);
  assert.equal(whole.modifications[0].value, "ü€😀".repeat(400));
});

test("a shared result is encoded once, whichever connection sends it first", () => {
  const r = toSharedResult(result({ ok: false, error: { message: "boom" } }), null);
  // The error message carries a random request id: equal texts mean one encoding was reused.
  assert.equal(wire.queryModification(1, r).slice(13), wire.queryModification(1, r).slice(13));
  assert.equal(wire.queryModification(1, r).replace('"queryId":1', '"queryId":2'), wire.queryModification(2, r));
});
