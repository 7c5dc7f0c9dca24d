/** One printed figure of a benchmark, with the ceiling measured in the same run (docs/architecture.md#measuring-speed). */
export interface BenchRow {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The thinnest honest server doing the same work, measured in the same run. */
  readonly ceiling?: { readonly name: string; readonly value: number };
  /** For latencies and costs lower is better: the ratio printed is ceiling/value then. */
  readonly lowerIsBetter?: boolean;
  readonly target?: string;
  readonly note?: string;
}

export function ratio(row: BenchRow): number | null {
  if (!row.ceiling || row.ceiling.value === 0 || row.value === 0) return null;
  return row.lowerIsBetter ? row.ceiling.value / row.value : row.value / row.ceiling.value;
}

export function formatRow(row: BenchRow): string {
  const r = ratio(row);
  const fig = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(2));
  const parts = [`${row.name}: ${fig(row.value)} ${row.unit}`];
  if (row.ceiling) parts.push(`ceiling (${row.ceiling.name}) ${fig(row.ceiling.value)} ${row.unit}`);
  if (r !== null) parts.push(`ratio ${r.toFixed(2)}`);
  if (row.target) parts.push(`target ${row.target}`);
  if (row.note) parts.push(row.note);
  return parts.join(" | ");
}
