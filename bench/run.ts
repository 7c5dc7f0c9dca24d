/**
 * `npm run bench`: runs every `bench/*.bench.ts` (or those whose name contains an argument) and
 * prints each figure beside its same-run ceiling and the ratio. Never part of `npm test`.
 * `--check`: exits 1 when a row's ratio falls below its target (bench/targets.ts).
 */
import { readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { formatRow, missedTargets, type BenchRow } from "./report.js";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const check = args.includes("--check");
const filter = args.filter((a) => !a.startsWith("--"));
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => !filter.length || filter.some((x) => f.includes(x)))
  .sort();
const all: BenchRow[] = [];
for (const f of files) {
  console.log(`\n== ${f}`);
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { default: () => Promise<BenchRow[]> };
  const rows = await mod.default();
  for (const row of rows) console.log("  " + formatRow(row));
  all.push(...rows);
}
if (check) {
  const missed = missedTargets(all);
  const checked = all.filter((r) => r.targetKey).length;
  if (missed.length > 0) {
    console.error(`\nBELOW TARGET (${missed.length} of ${checked} checked rows):`);
    for (const m of missed) console.error("  " + m);
    process.exit(1);
  }
  console.log(`\nall ${checked} checked rows at or above their targets`);
}
process.exit(0);
