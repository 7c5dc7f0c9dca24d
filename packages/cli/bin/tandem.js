#!/usr/bin/env node
// The `tandem` executable as npm links it. It is committed with its run bit so that the link works
// straight after `npm install` (npm links bins before `prepare` compiles dist/, and the compiler
// writes dist/bin.js without a run bit); it only loads the compiled CLI.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const compiled = new URL("../dist/bin.js", import.meta.url);
if (!existsSync(fileURLToPath(compiled))) {
  process.stderr.write(
    `tandem: the CLI is not built (${fileURLToPath(compiled)} is missing).\n` +
      "Run `npm install` (or `npm run build`) at the root of the Tandem repository, then try again.\n",
  );
  process.exit(1);
}
await import(compiled.href);
