#!/usr/bin/env node
// Long runs that `npm test` only samples. `npm run soak -- crash` runs the crash loop (100 `kill -9`
// cycles under load; scripts/soak-crash.mjs). `npm run soak -- load [--minutes N]` runs an hour (or N
// minutes) of mixed load against `tandem serve`, checking resident memory and p99 latency
// (test/soak/run-load.ts). `npm run soak -- idle [--connections N]` opens 10,000 (or N) idle
// subscribed WebSockets and measures the server's memory per connection (test/soak/run-idle.ts). `npm run soak -- fuzz` runs the fuzz suites of test/fuzz
// with their run counts multiplied by FUZZ_SCALE (default 90: over a million generated inputs)
// and prints the inputs each suite generated, the total and the time taken. FUZZ_MINUTES time-boxes
// each property instead (for a machine too busy to finish the full run).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const root = new URL("..", import.meta.url).pathname;
/**
 * Runs a soak entry point under tsx with the arguments after the kind, the file-descriptor limit
 * raised to the hard limit first (10,000 sockets need 10,000 descriptors on this side too).
 */
function tsx(entry) {
  const res = spawnSync(
    "sh",
    [
      "-c",
      'ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"',
      process.execPath,
      "--import",
      "tsx",
      entry,
      ...process.argv.slice(3),
    ],
    { stdio: "inherit", cwd: root },
  );
  return res.status ?? 1;
}

const kinds = {
  // The crash loop: `kill -9` cycles under load (scripts/soak-crash.mjs; --cycles N --seed S).
  crash() {
    const res = spawnSync(process.execPath, [join(root, "scripts/soak-crash.mjs"), ...process.argv.slice(3)], {
      stdio: "inherit",
      cwd: root,
    });
    return res.status ?? 1;
  },
  load: () => tsx("test/soak/run-load.ts"),
  idle: () => tsx("test/soak/run-idle.ts"),
  fuzz() {
    const reports = mkdtempSync(join(tmpdir(), "tandem-fuzz-"));
    const files = readdirSync(join(root, "test/fuzz"))
      .filter((f) => f.endsWith(".test.ts"))
      .map((f) => join("test/fuzz", f));
    const started = Date.now();
    const res = spawnSync(
      process.execPath,
      ["--import", "tsx", "--test", "--test-concurrency=2", "--test-timeout=0", ...files],
      {
        stdio: "inherit",
        cwd: root,
        env: {
          ...process.env,
          FUZZ_SCALE: process.env.FUZZ_SCALE ?? "90",
          FUZZ_REPORT_DIR: reports,
          ...(process.env.FUZZ_MINUTES
            ? { FUZZ_TIME_LIMIT_MS: String(Number(process.env.FUZZ_MINUTES) * 60_000) }
            : {}),
        },
      },
    );
    const suites = readdirSync(reports).map((f) => JSON.parse(readFileSync(join(reports, f), "utf8")));
    rmSync(reports, { recursive: true, force: true });
    const total = suites.reduce((n, s) => n + s.inputs, 0);
    for (const s of suites)
      console.log(`  ${s.suite.padEnd(16)} ${String(s.inputs).padStart(9)} inputs  ${(s.ms / 1000).toFixed(0)} s`);
    console.log(
      `fuzz: ${total} generated inputs in ${((Date.now() - started) / 1000).toFixed(0)} s, ${res.status === 0 ? "all properties held" : "FAILED"}`,
    );
    return res.status ?? 1;
  },
};

const kind = process.argv[2];
if (!kind || !(kind in kinds)) {
  console.error(`usage: npm run soak -- <${Object.keys(kinds).join("|")}>`);
  process.exit(2);
}
process.exit(kinds[kind]());
