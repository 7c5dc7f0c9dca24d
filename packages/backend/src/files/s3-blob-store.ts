/**
 * Blobs as objects in an S3-compatible bucket (path-style URLs: `<endpoint>/<bucket>/<prefix><key>`),
 * signed with SigV4. Bytes are first written to a local spool file (counted, hashed, limited), then
 * PUT with their length and SHA-256, so S3 checks the payload and never holds a partial object.
 */
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { InvariantError } from "@tandem/shared";
import {
  isBlobKey,
  type BlobKey,
  type BlobStore,
  type ByteRange,
  type S3Config,
  type StoredBlob,
} from "./blob-store.js";
import { EMPTY_SHA256, signRequest } from "./sigv4.js";
import { writeHashed } from "./spool.js";

export type { S3Config };

export class S3BlobStore implements BlobStore {
  readonly #c: S3Config;
  readonly #prefix: string;
  readonly #now: () => Date;
  #spoolReady: Promise<unknown> | null = null;

  constructor(config: S3Config, now: () => Date = () => new Date()) {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(config.bucket))
      throw new TypeError(`invalid S3 bucket name ${JSON.stringify(config.bucket)}`);
    this.#c = config;
    this.#prefix = config.prefix ?? "";
    this.#now = now;
  }

  #url(key: BlobKey | null, query: Record<string, string> = {}): URL {
    if (key !== null && !isBlobKey(key)) throw new InvariantError(`not a blob key: ${JSON.stringify(key)}`);
    const base = this.#c.endpoint.replace(/\/+$/, "");
    const path = key === null ? `/${this.#c.bucket}` : `/${this.#c.bucket}/${this.#prefix}${key}`;
    const url = new URL(
      base +
        path
          .split("/")
          .map((p) => encodeURIComponent(p))
          .join("/"),
    );
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return url;
  }

  #send(
    method: string,
    url: URL,
    opts: { headers?: Record<string, string>; payloadHash?: string; body?: Readable; length?: number } = {},
  ): Promise<IncomingMessage> {
    const signed = signRequest({
      method,
      url,
      headers: opts.headers ?? {},
      payloadHash: opts.payloadHash ?? EMPTY_SHA256,
      key: { accessKeyId: this.#c.accessKeyId, secretAccessKey: this.#c.secretAccessKey, region: this.#c.region },
      now: this.#now(),
    });
    const headers: Record<string, string> = { ...opts.headers, ...signed };
    if (opts.length !== undefined) headers["content-length"] = String(opts.length);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { method, headers }, resolve);
      req.on("error", reject);
      if (opts.body) opts.body.on("error", (e) => req.destroy(e)).pipe(req);
      else req.end();
    });
  }

  async #fail(res: IncomingMessage, what: string): Promise<never> {
    let text = "";
    for await (const chunk of res) if (text.length < 500) text += String(chunk);
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? "";
    throw new Error(`S3 ${what} failed: ${res.statusCode} ${code}`);
  }

  async put(
    key: BlobKey,
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    limitBytes: number,
  ): Promise<StoredBlob> {
    this.#spoolReady ??= mkdir(this.#c.spoolDir, { recursive: true });
    await this.#spoolReady;
    const spool = join(this.#c.spoolDir, `${key}.${randomBytes(6).toString("hex")}`);
    try {
      const blob = await writeHashed(source, spool, limitBytes);
      const res = await this.#send("PUT", this.#url(key), {
        headers: { "content-type": "application/octet-stream" },
        payloadHash: blob.sha256.toString("hex"),
        body: createReadStream(spool),
        length: blob.size,
      });
      if (res.statusCode !== 200) await this.#fail(res, "PUT");
      res.resume();
      return blob;
    } finally {
      await rm(spool, { force: true });
    }
  }

  async open(key: BlobKey, range?: ByteRange): Promise<Readable | null> {
    const res = await this.#send(
      "GET",
      this.#url(key),
      range ? { headers: { range: `bytes=${range.start}-${range.end}` } } : {},
    );
    if (res.statusCode === 404) {
      res.resume();
      return null;
    }
    if (res.statusCode !== 200 && res.statusCode !== 206) await this.#fail(res, "GET");
    return res;
  }

  async read(key: BlobKey): Promise<Buffer | null> {
    const res = await this.open(key);
    if (!res) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async delete(key: BlobKey): Promise<void> {
    const res = await this.#send("DELETE", this.#url(key));
    if (res.statusCode !== 204 && res.statusCode !== 200 && res.statusCode !== 404) await this.#fail(res, "DELETE");
    res.resume();
  }

  async *list(): AsyncIterable<{ key: BlobKey; writtenMs: number }> {
    let token: string | null = null;
    do {
      const query: Record<string, string> = { "list-type": "2", prefix: this.#prefix };
      if (token) query["continuation-token"] = token;
      const res = await this.#send("GET", this.#url(null, query));
      if (res.statusCode !== 200) await this.#fail(res, "LIST");
      let xml = "";
      for await (const chunk of res) xml += String(chunk);
      for (const m of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
        const name = /<Key>([^<]*)<\/Key>/.exec(m[1]!)?.[1] ?? "";
        const modified = /<LastModified>([^<]*)<\/LastModified>/.exec(m[1]!)?.[1] ?? "";
        const key = name.startsWith(this.#prefix) ? name.slice(this.#prefix.length) : "";
        if (isBlobKey(key)) yield { key, writtenMs: Date.parse(modified) || 0 };
      }
      const truncated = /<IsTruncated>true<\/IsTruncated>/.test(xml);
      token = truncated ? (/<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(xml)?.[1] ?? null) : null;
    } while (token);
  }
}
