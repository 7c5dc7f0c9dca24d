/**
 * `npm run bench`: runs every `bench/*.bench.ts` (or those whose name contains an argument) and
 * prints each figure beside its same-run ceiling and the ratio. Never part of `npm test`.
 */
import { readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { formatRow, type BenchRow } from "./report.js";

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => !filter.length || filter.some((x) => f.includes(x)))
  .sort();
for (const f of files) {
  console.log(`\n== ${f}`);
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { default: () => Promise<BenchRow[]> };
  const rows = await mod.default();
  for (const row of rows) console.log("  " + formatRow(row));
}
process.exit(0);
