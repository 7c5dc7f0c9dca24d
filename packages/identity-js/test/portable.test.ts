/**
 * "Runs anywhere": the package bundles for the browser with no Node built-ins, and the bundle
 * loads and decodes a key in a bare JavaScript context with neither DOM nor Node globals
 * (no window, document, process or Buffer), as in React Native's Hermes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { runInNewContext } from "node:vm";
import { build } from "esbuild";
import { publishableKey } from "@tandem/identity";

test("the bundle needs no Node built-ins and no DOM at import", async () => {
  const entry = createRequire(import.meta.url).resolve("@tandem/js");
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "neutral",
    format: "iife",
    globalName: "TandemJS",
    write: false,
    logLevel: "silent",
    mainFields: ["module", "main"],
  });
  const code = out.outputFiles[0]!.text;
  assert.ok(!/require\(["']node:/.test(code), "no node: imports");
  const sandbox: Record<string, unknown> = {
    URL,
    URLSearchParams,
    TextDecoder,
    setTimeout,
    clearTimeout,
    queueMicrotask,
    fetch: () => Promise.reject(new Error("offline")),
  };
  runInNewContext(code, sandbox);
  const lib = sandbox.TandemJS as typeof import("@tandem/js");
  const key = publishableKey("production", "https://auth.example.com");
  assert.equal(lib.decodePublishableKey(key).frontendApi, "https://auth.example.com");
  const tandem = lib.createTandem({ publishableKey: key, fetch: sandbox.fetch as typeof fetch });
  assert.equal(tandem.transportMode, "header", "no document: header mode");
  assert.equal(tandem.authState.value.status, "loading");
  tandem.destroy();
});
