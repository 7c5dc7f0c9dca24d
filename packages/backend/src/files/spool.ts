/**
 * Streams bytes into a local file while counting and hashing them: the one way bytes enter any
 * blob store. Past the limit it stops and rejects with `UploadTooLarge`; the caller removes the file.
 */
import { backendError } from "../errors.js";
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { TandemError } from "@tandem/shared";
import type { StoredBlob } from "./blob-store.js";

export function uploadTooLarge(limitBytes: number): TandemError {
  return backendError(
    "PayloadTooLarge",
    "UploadTooLarge",
    `File is too large: the upload limit is ${limitBytes} bytes.`,
  );
}

function uploadIncomplete(): TandemError {
  return backendError("BadRequest", "UploadIncomplete", "The upload ended before its body was complete.");
}

/**
 * Chunks are gathered into writes of this size: a body arrives in chunks of up to 64 KiB, and
 * each file write is a round trip through the libuv thread pool (a queued job, a thread woken, a
 * callback), which cost more than the bytes themselves (bench/README.md, file storage). `end()`
 * writes what is left.
 */
export const BATCH_BYTES = 256 * 1024;

/**
 * Each chunk is counted, hashed and handed to the file's write stream straight from the source's
 * `data` event: no stream in between (a Transform per upload cost a queue, callbacks and objects
 * per chunk, bench/README.md, file storage). Settles once the file is closed, so a caller removing
 * it after a failure never races the open.
 *
 * The source is never destroyed: a request body that is refused (too large) or whose file write
 * failed is left paused or flowing for the caller to drain, so the connection still gets its
 * answer (e.g. 413). A body that ends early (client gone) fails the write.
 */
export function writeHashed(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  path: string,
  limitBytes: number,
): Promise<StoredBlob> {
  const input = source instanceof Readable ? source : Readable.from(source, { objectMode: false });
  // Hashed here, on the thread that reads the body: a helper thread (each chunk copied and posted
  // to it) cost more CPU per upload than it took off this thread (bench/README.md, file storage).
  const hash = createHash("sha256");
  let size = 0;
  // Room for a batch being gathered while the previous one is written.
  const out = createWriteStream(path, { flags: "wx", highWaterMark: 2 * BATCH_BYTES });
  let corked = 0;
  return new Promise((resolve, reject) => {
    let failure: Error | null = null;
    let settled = false;
    const stop = (e: Error | null): void => {
      if (settled) return;
      settled = true;
      input.off("data", onData).off("end", onEnd).off("error", onCut).off("close", onCut);
      out.off("drain", onDrain);
      if (e) {
        failure = e;
        // An iterable's stream is ours: stop it. A request body stays for the caller to drain.
        if (input !== source) input.destroy();
        out.destroy();
      } else out.end();
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limitBytes) {
        input.pause();
        return stop(uploadTooLarge(limitBytes));
      }
      hash.update(chunk);
      if (corked === 0) out.cork();
      corked += chunk.length;
      const room = out.write(chunk);
      // A full stream is written out before the body waits for its drain.
      if (corked >= BATCH_BYTES || !room) {
        corked = 0;
        out.uncork();
      }
      if (!room) input.pause();
    };
    const onDrain = (): void => void input.resume();
    const onEnd = (): void => stop(null);
    const onCut = (): void => {
      if (!input.readableEnded) stop(uploadIncomplete());
    };
    out.on("drain", onDrain);
    out.once("error", (e) => {
      failure ??= e;
      stop(e);
    });
    out.once("close", () => (failure ? reject(failure) : resolve({ size, sha256: hash.digest() })));
    input.on("data", onData).once("end", onEnd).once("error", onCut).once("close", onCut);
  });
}
