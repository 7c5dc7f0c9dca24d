/**
 * Fuzzing the sync protocol: valid, mutated and random frames, out-of-order versions and query ids,
 * huge and deeply nested values. The server answers every connection (a reply or a FatalError, never
 * a hang), logs no internal error, changes no data unless a frame was a well-formed function call,
 * the official `ConvexClient` subscribed alongside keeps getting correct updates, and every frame
 * the server sends is accepted by the official client's own parser.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ProtocolError } from "../../packages/backend/src/sync/protocol-error.js";
import { parseClientMessage } from "../../packages/backend/src/sync/client-messages.js";
import { RawClient, type Msg } from "../../packages/backend/test/sync/harness.js";
import { serverMessageProblems } from "../../packages/backend/test/sync/server-message-check.js";
import { startFuzzBackend, type FuzzBackend } from "./support/backend.js";
import { anyFrame, officialParser, udfPath } from "./support/frames.js";
import { fullCheck, inputCounter, runs } from "./support/fuzz.js";

const inputs = inputCounter("sync-protocol");
let fb: FuzzBackend;
let parse: (m: unknown) => { type: string };
let wsUrl: string;
let checkedFrames = 0;

before(async () => {
  fb = await startFuzzBackend();
  parse = await officialParser();
  wsUrl = fb.backend.url.replace(/^http/, "ws") + "/api/1.48.0/sync";
});
after(async () => {
  await fb?.close();
  console.log(`fuzz sync-protocol: ${checkedFrames} server frames accepted by the official parser`);
});

const PROBE = 0xffff_fffe;
const probe = JSON.stringify({ type: "Mutation", requestId: PROBE, udfPath: "users:whoami", args: [{}] });

/** The official parser and the exact-shape check accept every frame the server sent. */
function differential(messages: readonly Msg[]): void {
  for (const m of messages) {
    assert.deepEqual(serverMessageProblems(m), [], JSON.stringify(m).slice(0, 300));
    assert.equal(typeof parse(m)?.type, "string");
    checkedFrames++;
  }
}

/** Sends the probe and waits for its answer or the connection's end; a silence is a hang. */
async function settle(r: RawClient): Promise<"answered" | "closed"> {
  r.send(probe);
  try {
    await r.next((m) => (m.type === "MutationResponse" && m.requestId === PROBE) || m.type === "FatalError", 15_000);
    return "answered";
  } catch (e) {
    if (r.closed) return "closed";
    throw e;
  }
}

function isFunctionCall(frame: string): boolean {
  try {
    const m = parseClientMessage(frame);
    return m.type === "Mutation" || m.type === "Action";
  } catch {
    return false;
  }
}

test("random frame sequences: answered, no internal error, no data change unless a call was made, bystander served", async () => {
  await fc.assert(
    fc.asyncProperty(fc.boolean(), fc.array(anyFrame, { minLength: 1, maxLength: 6 }), async (connectFirst, frames) => {
      inputs.add(frames.length);
      fb.errors.length = 0;
      const ts = fb.backend.storage.latestTs();
      const dump = fullCheck(inputs.count) ? await fb.dump() : null;
      const r = await RawClient.open(wsUrl);
      try {
        if (connectFirst) r.connect();
        for (const f of frames) r.ws.send(f);
        await settle(r);
      } finally {
        r.ws.terminate();
      }
      differential(r.messages);
      assert.deepEqual(fb.errors, [], "no internal error was logged");
      if (!frames.some(isFunctionCall)) {
        assert.equal(fb.backend.storage.latestTs(), ts, "nothing was committed");
        if (dump !== null) assert.equal(await fb.dump(), dump);
      }
      await fb.bystanderStillServed();
    }),
    runs(40),
  );
});

type Step =
  | { kind: "mqs"; base: number; next: number; adds: Array<{ id: number; path: string }>; removes: number[] }
  | { kind: "auth"; base: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant("mqs" as const),
    base: fc.nat({ max: 5 }),
    next: fc.nat({ max: 6 }),
    adds: fc.array(fc.record({ id: fc.nat({ max: 4 }), path: udfPath }), { maxLength: 3 }),
    removes: fc.array(fc.nat({ max: 4 }), { maxLength: 2 }),
  }),
  fc.record({ kind: fc.constant("auth" as const), base: fc.nat({ max: 3 }) }),
);

test("out-of-order versions and query ids: the server follows the protocol's model exactly", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
      inputs.add(steps.length);
      fb.errors.length = 0;
      // The model: the first step that breaks the rules ends the connection with that code.
      let querySet = 0;
      let identity = 0;
      const live = new Set<number>();
      let expected: string | null = null;
      for (const s of steps) {
        if (s.kind === "auth") {
          if (s.base !== identity) expected = "BaseVersionMismatch";
          else identity++;
        } else if (s.adds.some((a) => pathError(a.path)))
          expected = s.adds.map((a) => pathError(a.path)).find((c) => c)!;
        else if (s.base !== querySet) expected = "BaseVersionMismatch";
        else if (s.next <= s.base) expected = "InvalidVersion";
        else {
          const ids = new Set(live);
          for (const a of s.adds) {
            if (expected) break;
            if (ids.has(a.id)) expected = "DuplicateQueryId";
            else ids.add(a.id);
          }
          for (const id of s.removes) {
            if (expected) break;
            if (!ids.delete(id)) expected = "UnknownQueryId";
          }
          if (!expected) {
            live.clear();
            for (const id of ids) live.add(id);
            querySet = s.next;
          }
        }
        if (expected) break;
      }
      const r = await RawClient.open(wsUrl);
      try {
        r.connect();
        for (const s of steps) {
          if (s.kind === "auth") r.send({ type: "Authenticate", baseVersion: s.base, tokenType: "None" });
          else {
            const modifications = [
              ...s.adds.map((a) => ({ type: "Add", queryId: a.id, udfPath: a.path, args: [{}] })),
              ...s.removes.map((id) => ({ type: "Remove", queryId: id })),
            ];
            r.send({ type: "ModifyQuerySet", baseVersion: s.base, newVersion: s.next, modifications });
          }
        }
        if (expected) {
          const fatal = await r.next((m) => m.type === "FatalError", 15_000);
          assert.match(String(fatal.error), new RegExp(`^${expected}`), JSON.stringify(steps));
          await r.waitClosed(15_000);
        } else {
          await r.next(
            (m) =>
              m.type === "Transition" &&
              (m.endVersion as { querySet: number }).querySet === querySet &&
              (m.endVersion as { identity: number }).identity === identity,
            15_000,
          );
          assert.equal(r.ofType("FatalError").length, 0);
        }
      } finally {
        r.ws.terminate();
      }
      const transitions = r.ofType("Transition") as Array<Msg & { startVersion: unknown; endVersion: unknown }>;
      for (let i = 1; i < transitions.length; i++)
        assert.deepEqual(transitions[i]!.startVersion, transitions[i - 1]!.endVersion, "Transitions chain");
      differential(r.messages);
      assert.deepEqual(fb.errors, []);
    }),
    runs(40),
  );
  await fb.bystanderStillServed();
});

/** The code the parser refuses a function path with (bad shape, or too long), or null. */
function pathError(p: string): string | null {
  try {
    parseClientMessage(JSON.stringify({ type: "Mutation", requestId: 0, udfPath: p, args: [{}] }));
    return null;
  } catch (e) {
    return (e as ProtocolError).code;
  }
}
