#!/usr/bin/env node
// The crash soak: 100 `kill -9` cycles of a backend under load (packages/backend/test/soak/).
// `npm run soak -- crash [--cycles N --seed S]`; SOAK_CYCLES / SOAK_SEED work too.
import { spawnSync } from "node:child_process";

const root = new URL("..", import.meta.url).pathname;
const res = spawnSync(
  process.execPath,
  ["--import", "tsx", "packages/backend/test/soak/run-crash-loop.ts", ...process.argv.slice(2)],
  {
    stdio: "inherit",
    cwd: root,
  },
);
process.exit(res.status ?? 1);
