import { test } from "node:test";
import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { Command } from "commander";
import { addServerOptions, functionThreadsFrom, type ServerFlags } from "../src/options.js";
import { defaultFunctionThreads } from "@tandem/backend";

function flagsOf(argv: string[]): ServerFlags {
  const cmd = addServerOptions(new Command().exitOverride()).configureOutput({ writeErr: () => {} });
  cmd.parse(argv, { from: "user" });
  return cmd.opts<ServerFlags>();
}

test("function threads: the flag wins over TANDEM_FUNCTION_THREADS, which wins over the core count", () => {
  const saved = process.env.TANDEM_FUNCTION_THREADS;
  try {
    delete process.env.TANDEM_FUNCTION_THREADS;
    assert.equal(functionThreadsFrom(flagsOf([])), undefined);
    assert.equal(defaultFunctionThreads(), availableParallelism());
    process.env.TANDEM_FUNCTION_THREADS = "3";
    assert.equal(functionThreadsFrom(flagsOf([])), 3);
    assert.equal(functionThreadsFrom(flagsOf(["--function-threads", "0"])), 0);
    process.env.TANDEM_FUNCTION_THREADS = "many";
    assert.throws(() => functionThreadsFrom(flagsOf([])), /TANDEM_FUNCTION_THREADS must be a whole number/);
    assert.throws(() => flagsOf(["--function-threads", "-1"]), /whole number/);
  } finally {
    if (saved === undefined) delete process.env.TANDEM_FUNCTION_THREADS;
    else process.env.TANDEM_FUNCTION_THREADS = saved;
  }
});
