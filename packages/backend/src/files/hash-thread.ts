/**
 * SHA-256 of large uploads on a helper thread, so hashing (a large share of an upload's CPU time)
 * leaves the thread that serves every request. Chunks are copied and transferred in order;
 * `digest()` resolves after every earlier chunk was hashed. Small files are hashed inline (the
 * round trip would cost more than the hash).
 */
import { createHash, type Hash } from "node:crypto";
import { Worker } from "node:worker_threads";

/** Bodies at least this large (when known up front) are hashed off the main thread. */
export const OFF_THREAD_HASH_BYTES = 256 * 1024;

// Plain CommonJS, evaluated: nothing to resolve, the same under tsx and from compiled JS.
const SOURCE = `
const { parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const hashes = new Map();
parentPort.on("message", (m) => {
  let h = hashes.get(m.id);
  if (!h) hashes.set(m.id, (h = createHash("sha256")));
  if (m.chunk) return void h.update(new Uint8Array(m.chunk));
  hashes.delete(m.id);
  const d = h.digest();
  parentPort.postMessage({ id: m.id, digest: d.buffer.slice(d.byteOffset, d.byteOffset + d.length) }, []);
});
`;

let thread: {
  worker: Worker;
  pending: Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>;
} | null = null;
let nextId = 1;

function hashThread() {
  if (thread) return thread;
  const worker = new Worker(SOURCE, { eval: true });
  const t = { worker, pending: new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>() };
  worker.on("message", (m: { id: number; digest: ArrayBuffer }) => {
    const p = t.pending.get(m.id);
    t.pending.delete(m.id);
    // The thread keeps the process up only while a digest is awaited.
    if (t.pending.size === 0) worker.unref();
    p?.resolve(Buffer.from(m.digest));
  });
  const fail = (e: Error) => {
    if (thread === t) thread = null;
    for (const p of t.pending.values()) p.reject(e);
    t.pending.clear();
  };
  worker.on("error", fail);
  worker.on("exit", () => fail(new Error("the hashing thread stopped")));
  // After the listeners: adding a message listener refs the thread again.
  worker.unref();
  thread = t;
  return t;
}

export interface StreamHash {
  update(chunk: Uint8Array): void;
  digest(): Promise<Buffer>;
}

export function streamHash(expectedBytes: number | undefined): StreamHash {
  if (expectedBytes === undefined || expectedBytes < OFF_THREAD_HASH_BYTES) {
    const h: Hash = createHash("sha256");
    return { update: (c) => void h.update(c), digest: async () => h.digest() };
  }
  const t = hashThread();
  const id = nextId++;
  return {
    update(chunk) {
      // A copy of just these bytes (a chunk may view a larger shared buffer), handed over.
      const copy = chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength) as ArrayBuffer;
      t.worker.postMessage({ id, chunk: copy }, [copy]);
    },
    digest() {
      return new Promise((resolve, reject) => {
        t.pending.set(id, { resolve, reject });
        t.worker.ref();
        t.worker.postMessage({ id });
      });
    },
  };
}
