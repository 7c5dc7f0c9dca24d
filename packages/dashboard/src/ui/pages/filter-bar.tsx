/** The Data page's filter: one field clause and/or an index range (equality on its first field). */
import { useState } from "react";
import { Alert } from "../parts.js";

const OPS = ["eq", "neq", "gt", "gte", "lt", "lte", "exists", "missing"] as const;

export interface Filter {
  /** A field clause (empty field: none). */
  field: string;
  op: (typeof OPS)[number];
  value: string;
  /** An index to read instead of the whole table, with a JSON value for its first field (empty: none). */
  index: string;
  indexValue: string;
}

export interface IndexInfo {
  table: string;
  name: string;
  fields: string[];
}

/** The `filters` argument of `paginatedTableDocuments` (docs in backend/src/system/filters.ts). */
export function filterSpec(f: Filter | null): string | null {
  if (!f) return null;
  const clauses = f.field
    ? [
        {
          field: f.field,
          op: f.op,
          value: f.op === "exists" || f.op === "missing" ? null : JSON.parse(f.value || "null"),
        },
      ]
    : [];
  const index = f.index ? { name: f.index, eq: f.indexValue.trim() ? [JSON.parse(f.indexValue)] : [] } : undefined;
  return JSON.stringify({ clauses, ...(index ? { index } : {}) });
}

export function FilterBar({
  fields,
  indexes,
  filter,
  onApply,
}: {
  fields: string[];
  indexes: IndexInfo[];
  filter: Filter | null;
  onApply(f: Filter | null): void;
}) {
  const [field, setField] = useState(filter?.field ?? "");
  const [op, setOp] = useState<Filter["op"]>(filter?.op ?? "eq");
  const [value, setValue] = useState(filter?.value ?? "");
  const [index, setIndex] = useState(filter?.index ?? "");
  const [indexValue, setIndexValue] = useState(filter?.indexValue ?? "");
  const chosen = indexes.find((i) => i.name === index);
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="filter row"
      aria-label="Filter documents"
      onSubmit={(e) => {
        e.preventDefault();
        if (!field && !index) return onApply(null);
        try {
          if (field && op !== "exists" && op !== "missing") JSON.parse(value || "null");
          if (index && indexValue.trim()) JSON.parse(indexValue);
          setError(null);
          onApply({ field, op, value, index, indexValue });
        } catch {
          setError('The value must be JSON, e.g. "text", 3 or true.');
        }
      }}
    >
      <label className="inline">
        <span>Field</span>
        <input list="data-fields" value={field} onChange={(e) => setField(e.target.value)} placeholder="field" />
        <datalist id="data-fields">
          {fields.map((f) => (
            <option key={f} value={f} />
          ))}
        </datalist>
      </label>
      <label className="inline">
        <span>Operator</span>
        <select value={op} onChange={(e) => setOp(e.target.value as Filter["op"])}>
          {OPS.map((o) => (
            <option key={o}>{o}</option>
          ))}
        </select>
      </label>
      <label className="inline">
        <span>Value (JSON)</span>
        <input value={value} onChange={(e) => setValue(e.target.value)} placeholder='"text"' />
      </label>
      {indexes.length > 0 && (
        <>
          <label className="inline">
            <span>Index</span>
            <select value={index} onChange={(e) => setIndex(e.target.value)}>
              <option value="">none</option>
              {indexes.map((i) => (
                <option key={i.name} value={i.name}>
                  {i.name} ({i.fields.join(", ")})
                </option>
              ))}
            </select>
          </label>
          {chosen && (
            <label className="inline">
              <span>{`${chosen.fields[0]} equals (JSON)`}</span>
              <input value={indexValue} onChange={(e) => setIndexValue(e.target.value)} placeholder="any" />
            </label>
          )}
        </>
      )}
      <button type="submit" className="secondary">
        Filter
      </button>
      {filter && (
        <button
          type="button"
          className="secondary"
          onClick={() => (setField(""), setValue(""), setIndex(""), setIndexValue(""), onApply(null))}
        >
          Clear filter
        </button>
      )}
      <Alert message={error} />
    </form>
  );
}
