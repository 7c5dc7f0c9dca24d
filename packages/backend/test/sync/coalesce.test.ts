/**
 * A sync mutation's MutationResponse and the Transition that reaches its commit leave in one write
 * to the socket (`Outbound.coalesce`), not one each. `coalesce` reaches into `ws`'s private socket;
 * this fails if a `ws` upgrade moves it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { startHarness } from "./harness.js";
import { memoryApp } from "./memory-app.js";

type Flushing = Socket & { _writev(chunks: unknown[], cb: () => void): void; _write(...a: unknown[]): void };

test("a mutation's response and the Transition reaching its commit leave in one write", async () => {
  const h = await startHarness(memoryApp());
  // The server's end of the connection: every flush of its stream to the kernel is counted.
  let writes = 0;
  h.http.prependListener("upgrade", (_req, socket: Flushing) => {
    const writev = socket._writev.bind(socket);
    const write = socket._write.bind(socket);
    socket._writev = (chunks, cb) => (writes++, writev(chunks, cb));
    socket._write = (...a) => (writes++, write(...a));
  });
  try {
    const r = await h.raw();
    r.connect();
    r.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [] });
    await r.next((m) => m.type === "Transition");
    for (let i = 1; i <= 5; i++) {
      const before = writes;
      const from = r.messages.length;
      r.send({ type: "Mutation", requestId: i, udfPath: "counters:inc", args: [{ name: "c" }] });
      const response = await r.next((m) => m.type === "MutationResponse" && m.requestId === i);
      await r.next((m) => m.type === "Transition" && (m.endVersion as { ts: string }).ts === response.ts);
      assert.deepEqual(
        r.messages.slice(from).map((m) => m.type),
        ["MutationResponse", "Transition"],
      );
      assert.equal(writes - before, 1, "one write for both frames");
    }
  } finally {
    await h.close();
  }
});
