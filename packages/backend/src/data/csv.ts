/**
 * CSV for `npx convex import --table t file.csv` (RFC 4180: quoted fields may hold commas,
 * newlines and `""`). The first row is the header. Convex documents the typing: each entry is
 * either a (floating point) number or a string.
 */
import { badRequest } from "../errors.js";
import type { ConvexJSON } from "@tandem/storage";

export interface CsvRow {
  /** 1-based line where the row starts (the header is line 1). */
  readonly line: number;
  readonly fields: readonly string[];
}

/** Splits CSV text into rows of raw fields; blank lines are skipped. */
export function parseCsvRows(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let fieldStarted = false;
  const endRow = () => {
    if (fieldStarted || fields.length > 0) {
      fields.push(field);
      rows.push({ line: rowLine, fields });
    }
    fields = [];
    field = "";
    fieldStarted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === "\n") line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field.length === 0) {
      quoted = true;
      fieldStarted = true;
    } else if (c === ",") {
      fields.push(field);
      field = "";
      fieldStarted = true;
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      endRow();
      line++;
      rowLine = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) throw badRequest("ImportParseError", `CSV line ${rowLine}: a quoted field is never closed.`);
  endRow();
  return rows;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A cell as Convex types it: a float64 when the text is a number, otherwise the string. */
export function csvValue(cell: string): ConvexJSON {
  return NUMBER.test(cell.trim()) ? Number(cell) : cell;
}

/** Header + rows → one object per row, each tagged with its line for error messages. */
export function csvObjects(text: string): Array<{ line: number; value: Record<string, ConvexJSON> }> {
  const [header, ...rows] = parseCsvRows(text);
  if (!header) return [];
  const names = header.fields.map((h) => h.trim());
  const seen = new Set<string>();
  for (const n of names) {
    if (n === "") throw badRequest("ImportParseError", "CSV header: a column has no name.");
    if (seen.has(n)) throw badRequest("ImportParseError", `CSV header: the column "${n}" appears twice.`);
    seen.add(n);
  }
  return rows.map((row) => {
    if (row.fields.length !== names.length)
      throw badRequest(
        "ImportParseError",
        `CSV line ${row.line}: expected ${names.length} fields (as in the header), found ${row.fields.length}.`,
      );
    const value: Record<string, ConvexJSON> = {};
    names.forEach((n, i) => (value[n] = csvValue(row.fields[i]!)));
    return { line: row.line, value };
  });
}
