/**
 * `npm run soak -- idle [--connections N] [--idle S] [--shared]`: N (default 10,000) idle
 * subscribed WebSockets against `tandem serve` (test/soak/idle.ts); prints the server's resident
 * memory per connection and exits 1 past `IDLE_BUDGET_KIB` or if a connection was lost. The
 * caller raises `ulimit -n` (scripts/soak.mjs does); the server raises its own.
 */
import { parseArgs } from "node:util";
import { checkIdle, describeIdle, IDLE_BUDGET_KIB, runIdleSoak } from "./idle.js";
import { serveSoakApp } from "./serve.js";

const { values } = parseArgs({
  options: {
    connections: { type: "string", default: "10000" },
    idle: { type: "string", default: "20" },
    shared: { type: "boolean", default: false },
  },
});
const served = await serveSoakApp();
console.log(
  `idle soak against tandem serve (pid ${served.pid}): ${values.connections} connections, ` +
    `${values.shared ? "10 shared" : "distinct"} query arguments, budget ${IDLE_BUDGET_KIB} KiB per connection`,
);
let failed = true;
try {
  const report = await runIdleSoak(served, {
    connections: Number(values.connections),
    idleMs: Number(values.idle) * 1000,
    shared: values.shared,
    log: (l) => console.log(l),
  });
  for (const l of describeIdle(report)) console.log(l);
  const problems = checkIdle(report);
  for (const p of problems) console.log(`FAILED: ${p}`);
  failed = problems.length > 0;
  if (!failed) console.log("idle soak: within budget");
} finally {
  await served.stop();
}
process.exit(failed ? 1 : 0);
