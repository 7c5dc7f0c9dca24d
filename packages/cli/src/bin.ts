#!/usr/bin/env node
/** The `tandem` executable. */
import { runCli } from "./program.js";

// The server keeps serving if a promise rejects unobserved (e.g. one user code left unawaited).
process.on("unhandledRejection", (reason) => {
  process.stderr.write(
    `tandem: unhandled promise rejection: ${reason instanceof Error ? reason.message : String(reason)}\n`,
  );
});

runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`tandem: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
