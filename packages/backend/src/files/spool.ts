/**
 * Streams bytes into a local file while counting and hashing them: the one way bytes enter any
 * blob store. Past the limit it stops and rejects with `UploadTooLarge`; the caller removes the file.
 */
import { backendError } from "../errors.js";
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { TandemError } from "@tandem/shared";
import type { StoredBlob } from "./blob-store.js";

export function uploadTooLarge(limitBytes: number): TandemError {
  return backendError(
    "PayloadTooLarge",
    "UploadTooLarge",
    `File is too large: the upload limit is ${limitBytes} bytes.`,
  );
}

/**
 * A request body is piped rather than handed to `pipeline`, which would destroy it (and with it
 * the connection) on failure: the caller drains it and still answers, e.g. 413. A body that ends
 * early (client gone) fails the write.
 */
function pipeFrom(source: Readable, into: Transform): void {
  const cut = () => {
    if (!source.readableEnded)
      into.destroy(backendError("BadRequest", "UploadIncomplete", "The upload ended before its body was complete."));
  };
  source.once("error", cut).once("close", cut);
  into.once("close", () => {
    source.off("error", cut).off("close", cut);
    source.unpipe(into);
  });
  source.pipe(into);
}

export async function writeHashed(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  path: string,
  limitBytes: number,
): Promise<StoredBlob> {
  // Hashed here, on the thread that reads the body: a helper thread (each chunk copied and posted
  // to it) cost more CPU per upload than it took off this thread, and uploads wait on file
  // writes, not on this thread (bench/README.md, file storage).
  const hash = createHash("sha256");
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > limitBytes) return done(uploadTooLarge(limitBytes));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const out = createWriteStream(path, { flags: "wx" });
  if (source instanceof Readable) {
    pipeFrom(source, meter);
    await pipeline(meter, out);
  } else {
    await pipeline(Readable.from(source, { objectMode: false }), meter, out);
  }
  return { size, sha256: hash.digest() };
}
