/**
 * A real backend (SQLite, function threads) with the `multi` fixture app pushed by the official CLI,
 * a well-behaved official `ConvexClient` subscribed alongside the fuzzer, and a dump of every table
 * to compare before and after a refused request.
 */
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { dirname } from "node:path";
import WebSocket from "ws";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import type { Logger } from "@tandem/shared";
import type { IndexKey } from "@tandem/storage";
import { startBackend, type Backend } from "@tandem/backend";
import { copyFixture, pushOnce, tempDir } from "../../../packages/backend/test/server/fixture.js";
import { eventually } from "../../../packages/backend/test/sync/harness.js";
import { startTestIssuer, type TestIssuer } from "../../../packages/backend/test/http/issuer.js";

const api = anyApi;

export interface FuzzBackend {
  readonly backend: Backend;
  readonly channel: string;
  readonly issuer: TestIssuer;
  /** What the server logged at error level (an internal error a client's input provoked). */
  readonly errors: string[];
  /** Every table's documents, in a stable text form. */
  dump(): Promise<string>;
  /** The bystander does a write and sees it through its subscription, over the socket it began with. */
  bystanderStillServed(): Promise<void>;
  close(): Promise<void>;
}

/** Drops everything but errors, which it keeps with their logger's name. */
function errorRecorder(errors: string[], name = "backend"): Logger {
  return {
    debug() {},
    info() {},
    warn() {},
    error: (msg, fields) =>
      void errors.push(
        `${name}: ${msg} ${JSON.stringify(fields ?? {}, (_k, v) => (v instanceof Error ? v.stack : v)).slice(0, 800)}`,
      ),
    child: (n) => errorRecorder(errors, `${name}.${n}`),
  };
}

export async function startFuzzBackend(): Promise<FuzzBackend> {
  const errors: string[] = [];
  const logger = errorRecorder(errors);
  const dataDir = await tempDir("fuzz-data");
  const backend = await startBackend({ dataDir, port: 0, sitePort: 0, logger, adminKey: "fuzz-admin:key" });
  const issuer = await startTestIssuer();
  const app = await copyFixture("multi");
  const removeTemp = () => Promise.all([dataDir, dirname(app)].map((d) => rm(d, { recursive: true, force: true })));
  try {
    await backend.setEnvironmentVariables({ TEST_ISSUER_DOMAIN: issuer.url });
    await pushOnce(app, { url: backend.url, adminKey: backend.adminKey });
  } catch (e) {
    await backend.close();
    await issuer.close();
    await removeTemp();
    throw e;
  }
  const channel = (await new ConvexHttpClient(backend.url).mutation(api.channels!.create!, {
    name: "bystander",
  })) as string;

  const sockets: WebSocket[] = [];
  class RecordingWebSocket extends WebSocket {
    constructor(address: string) {
      super(address);
      sockets.push(this);
    }
  }
  const bystander = new ConvexClient(backend.url, {
    skipConvexDeploymentUrlCheck: true,
    webSocketConstructor: RecordingWebSocket as unknown as typeof globalThis.WebSocket,
    logger: false,
    unsavedChangesWarning: false,
  });
  let seen: Array<{ body: string }> = [];
  bystander.onUpdate(api.messages!.list!, { channel }, (v: Array<{ body: string }>) => (seen = v));
  await eventually(() => sockets.length === 1 && seen !== undefined, 10_000, "bystander subscribed");
  let n = 0;

  return {
    backend,
    channel,
    issuer,
    errors,
    async dump() {
      const snap = backend.storage.snapshot();
      const out: unknown[] = [];
      for (const ix of backend.storage.indexes()) {
        if (ix.name !== "by_id") continue;
        const rows = await snap.scan(
          { index: ix.id, start: new Uint8Array() as IndexKey, end: null },
          "asc",
          1_000_000,
        );
        out.push([ix.table, rows.map((r) => [r.doc.ts.toString(), r.doc.value])]);
      }
      return JSON.stringify(out);
    },
    async bystanderStillServed() {
      const body = `bystander ${++n}`;
      await bystander.mutation(api.messages!.send!, { channel, author: "bystander", body });
      await eventually(() => seen.at(-1)?.body === body, 10_000, `the bystander's subscription shows "${body}"`);
      const fresh = (await new ConvexHttpClient(backend.url).query(api.messages!.list!, { channel })) as unknown[];
      assert.deepEqual(seen, fresh, "the subscription agrees with a fresh read");
      assert.equal(sockets.length, 1, "the bystander never had to reconnect");
    },
    async close() {
      await bystander.close();
      await backend.close();
      await issuer.close();
      await removeTemp();
    },
  };
}
