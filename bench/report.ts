/** One printed figure of a benchmark, with the ceiling measured in the same run (docs/architecture.md#measuring-speed). */
import { TARGETS, type TargetKey } from "./targets.js";

export interface BenchRow {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The thinnest honest server doing the same work, measured in the same run. */
  readonly ceiling?: { readonly name: string; readonly value: number };
  /** For latencies and costs lower is better: the ratio printed is ceiling/value then. */
  readonly lowerIsBetter?: boolean;
  /** A target of bench/targets.ts: `--check` fails the run when the ratio falls below it. */
  readonly targetKey?: TargetKey;
  /** A target stated in words only (not checked). */
  readonly target?: string;
  /**
   * The ratio of each round (Tandem and the ceiling measured alternately, so each round's pair
   * saw the same machine speed): printed as the spread min–max.
   */
  readonly roundRatios?: readonly number[];
  readonly note?: string;
}

export function ratio(row: BenchRow): number | null {
  if (!row.ceiling || row.ceiling.value === 0 || row.value === 0) return null;
  return row.lowerIsBetter ? row.ceiling.value / row.value : row.value / row.ceiling.value;
}

/** The ratio of one round from the two sides' figures (for `roundRatios`). */
export function roundRatio(tandem: number, ceiling: number, lowerIsBetter = false): number {
  if (tandem === 0 || ceiling === 0) return 0;
  return lowerIsBetter ? ceiling / tandem : tandem / ceiling;
}

export function formatRow(row: BenchRow): string {
  const r = ratio(row);
  const fig = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(2));
  const parts = [`${row.name}: ${fig(row.value)} ${row.unit}`];
  if (row.ceiling) parts.push(`ceiling (${row.ceiling.name}) ${fig(row.ceiling.value)} ${row.unit}`);
  if (r !== null) {
    const rounds = row.roundRatios?.filter(Number.isFinite) ?? [];
    const spread =
      rounds.length > 1
        ? ` (${rounds.length} rounds: ${Math.min(...rounds).toFixed(2)}–${Math.max(...rounds).toFixed(2)})`
        : "";
    parts.push(`ratio ${r.toFixed(2)}${spread}`);
  }
  if (row.targetKey) parts.push(`target ≥ ${TARGETS[row.targetKey].min.toFixed(2)}`);
  else if (row.target) parts.push(`target ${row.target}`);
  if (row.note) parts.push(row.note);
  return parts.join(" | ");
}

/** The rows that miss their target (bench/targets.ts), as lines to print. */
export function missedTargets(rows: readonly BenchRow[]): string[] {
  const missed: string[] = [];
  for (const row of rows) {
    if (!row.targetKey) continue;
    const r = ratio(row);
    const min = TARGETS[row.targetKey].min;
    if (r === null || r < min) missed.push(`${row.name}: ratio ${r?.toFixed(2) ?? "none"} < target ${min.toFixed(2)}`);
  }
  return missed;
}
