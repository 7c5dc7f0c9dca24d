import { test } from "node:test";
import assert from "node:assert/strict";
import vm from "node:vm";
import { Realm } from "../../src/runtime/realm.js";

// What Convex's runtime defines for every function (its udf-runtime `setup`), used by bundled
// libraries such as `ai`'s server-sent-event parsing.
const SCRIPT = `(async () => {
  const bytes = new TextEncoder().encode("héllo wörld");
  const source = new ReadableStream({
    start(c) { c.enqueue(bytes.slice(0, 2)); c.enqueue(bytes.slice(2)); c.close(); },
  });
  const reader = source.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  for (let r = await reader.read(); !r.done; r = await reader.read()) text += r.value;
  const encoded = new ReadableStream({ start(c) { c.enqueue("ok"); c.close(); } })
    .pipeThrough(new TextEncoderStream()).getReader();
  const first = await encoded.read();
  return {
    text,
    encoded: Array.from(first.value),
    reader: reader instanceof ReadableStreamDefaultReader,
    writer: new WritableStream().getWriter() instanceof WritableStreamDefaultWriter,
    byob: typeof ReadableStreamBYOBReader,
  };
})()`;

for (const mode of ["udf", "action"] as const)
  test(`${mode} realms have the text-coding streams and the stream reader and writer classes`, async () => {
    const realm = new Realm(mode);
    const out = (await vm.runInContext(SCRIPT, realm.context)) as Record<string, unknown>;
    assert.deepEqual(JSON.parse(JSON.stringify(out)), {
      text: "héllo wörld",
      encoded: [111, 107],
      reader: true,
      writer: true,
      byob: "function",
    });
  });
