/** A read-only table of records: the smaller pages list things this way. */
import type { ReactNode } from "react";
import { Empty } from "../parts.js";

export interface Column<T> {
  readonly header: string;
  cell(row: T): ReactNode;
  readonly mono?: boolean;
}

export function SimpleTable<T>({
  label,
  rows,
  columns,
  rowKey,
  empty,
}: {
  label: string;
  rows: readonly T[] | undefined;
  columns: ReadonlyArray<Column<T>>;
  rowKey(row: T, i: number): string;
  empty: string;
}) {
  if (!rows) return null;
  if (rows.length === 0) return <Empty>{empty}</Empty>;
  return (
    <div className="scroll">
      <table aria-label={label}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" key={c.header}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={rowKey(r, i)}>
              {columns.map((c) => (
                <td key={c.header} className={c.mono ? "mono" : undefined}>
                  {c.cell(r)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export const when = (ms: number | null | undefined) => (ms ? new Date(ms).toLocaleString() : "");
