/**
 * Data: tables by name (with sizes), the newest documents of the chosen one, a field or index
 * filter, and add / edit / delete through `_system/frontend/*`, which validate against the pushed
 * schema. The table list, the sizes and the documents are subscriptions over the sync WebSocket:
 * the backend re-sends them when a commit (from anywhere) changes what they read, so writes show
 * up without a reload and nothing polls.
 */
import { useMemo, useState } from "react";
import { jsonToConvex } from "convex/values";
import type { Api } from "../api.js";
import { show } from "../api.js";
import { useAction, useLive, usePoll } from "../hooks.js";
import { Alert, Empty, Page } from "../parts.js";
import { DocEditor } from "./doc-editor.js";
import { FilterBar, filterSpec, type Filter, type IndexInfo } from "./filter-bar.js";

type Doc = { _id: string; _creationTime: number } & Record<string, unknown>;
/** Documents shown at first, and how many more "Show more" adds (up to MAX_SHOWN). */
const PAGE = 100;
const MAX_SHOWN = 1000;

/** Table names: those with a number (documents were written) and those the pushed schema names. */
function useTableNames(api: Api): { data: string[] | undefined; error: string | null } {
  const mapping = useLive<Record<string, string>>(api, "_system/frontend/getTableMapping", {});
  const schemas = useLive<{ active?: string | null }>(api, "_system/frontend/getSchemas", { componentId: null });
  const data = useMemo(() => {
    if (!mapping.data || !schemas.data) return undefined;
    const names = new Set(Object.values(mapping.data));
    if (schemas.data.active)
      for (const t of (JSON.parse(schemas.data.active) as { tables?: Array<{ tableName: string }> }).tables ?? [])
        names.add(t.tableName);
    return [...names].sort();
  }, [mapping.data, schemas.data]);
  return { data, error: mapping.error ?? schemas.error };
}

/** A table's document count, live. */
function TableSize({ api, name }: { api: Api; name: string }) {
  const size = useLive<number | bigint>(api, "_system/frontend/tableSize", { tableName: name });
  if (size.data === undefined) return null;
  const n = Number(size.data);
  return (
    <span className="count" aria-label={`${n} documents`}>
      {n}
    </span>
  );
}

export function DataPage({ api }: { api: Api }) {
  const tables = useTableNames(api);
  const [chosen, setChosen] = useState<string | null>(null);
  const table = chosen ?? tables.data?.[0] ?? null;
  const [filter, setFilter] = useState<Filter | null>(null);
  const [shown, setShown] = useState(PAGE);
  const page = useLive<{ page: Doc[]; isDone: boolean }>(
    api,
    "_system/frontend/paginatedTableDocuments",
    table ? { table, paginationOpts: { cursor: null, numItems: shown }, filters: filterSpec(filter) } : null,
  );
  const docs = { data: table ? page.data?.page : [], error: page.error };
  const indexes = usePoll(async () => (await api.run("_system/frontend/indexes", {})) as IndexInfo[], [api], 0);
  const [editing, setEditing] = useState<{ mode: "add" } | { mode: "edit"; doc: Doc } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const action = useAction();

  const fields = [
    ...new Set((docs.data ?? []).flatMap((d) => Object.keys(d)).filter((k) => !k.startsWith("_"))),
  ].sort();
  const add = async (doc: Record<string, unknown>) => {
    const r = (await api.mutate("_system/frontend/addDocument", {
      table,
      documents: [jsonToConvex(doc as never)],
    })) as { success: boolean; error?: string };
    if (!r.success) throw new Error(r.error ?? "The document was refused.");
  };
  const replace = (id: string) => async (doc: Record<string, unknown>) => {
    await api.mutate("_system/frontend/replaceDocument", { id, document: jsonToConvex(doc as never) });
  };
  const remove = (id: string) =>
    action.run(async () => {
      await api.mutate("_system/frontend/deleteDocuments", { toDelete: [{ id, tableName: table }] });
      setConfirming(null);
    });
  const [clearing, setClearing] = useState(false);
  // Page by page, as the official dashboard does: one transaction per page stays small.
  const clear = () =>
    action.run(async () => {
      let cursor: string | null = null;
      for (;;) {
        const r = (await api.mutate("_system/frontend/clearTablePage", { tableName: table, cursor })) as {
          continueCursor: string;
          hasMore: boolean;
        };
        if (!r.hasMore) break;
        cursor = r.continueCursor;
      }
      setClearing(false);
    });
  const editable = (d: Doc) => {
    const { _id, _creationTime, ...rest } = d;
    void _id;
    void _creationTime;
    return show(rest, 2);
  };

  return (
    <Page
      title="Data"
      actions={
        table && (
          <>
            {clearing ? (
              <>
                <button type="button" className="danger" onClick={() => void clear()} disabled={action.busy}>
                  {`Confirm clear ${table}`}
                </button>
                <button type="button" className="secondary" onClick={() => setClearing(false)}>
                  Keep documents
                </button>
              </>
            ) : (
              <button type="button" className="secondary" onClick={() => setClearing(true)}>
                Clear table
              </button>
            )}
            <button type="button" onClick={() => setEditing({ mode: "add" })}>
              Add document
            </button>
          </>
        )
      }
    >
      <div className="split">
        <nav aria-label="Tables" className="tables">
          <h2>Tables</h2>
          <Alert message={tables.error} />
          {tables.data?.length === 0 && <Empty>No tables yet: push a schema or insert a document.</Empty>}
          <ul>
            {tables.data?.map((name) => (
              <li key={name}>
                <button
                  type="button"
                  className="table-button"
                  aria-current={name === table ? "true" : undefined}
                  onClick={() => (
                    setChosen(name),
                    setFilter(null),
                    setClearing(false),
                    setEditing(null),
                    setShown(PAGE)
                  )}
                >
                  <span>{name}</span> <TableSize api={api} name={name} />
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <div className="docs">
          {table && (
            <FilterBar
              key={table}
              fields={fields}
              indexes={(indexes.data ?? []).filter((i) => i.table === table)}
              filter={filter}
              onApply={setFilter}
            />
          )}
          {editing && table && (
            <DocEditor
              key={editing.mode === "edit" ? editing.doc._id : "add"}
              title={editing.mode === "add" ? `Add document to ${table}` : `Edit document ${editing.doc._id}`}
              initial={editing.mode === "add" ? "{\n  \n}" : editable(editing.doc)}
              onSave={editing.mode === "add" ? add : replace(editing.doc._id)}
              onClose={() => setEditing(null)}
            />
          )}
          <Alert message={docs.error ?? action.error} />
          {table && docs.data?.length === 0 && (
            <Empty>No documents{filter ? " match the filter" : ` in ${table}`}.</Empty>
          )}
          {table && !!docs.data?.length && (
            <div className="scroll">
              <table aria-label={`Documents in ${table}`}>
                <thead>
                  <tr>
                    <th scope="col">_id</th>
                    {fields.map((f) => (
                      <th scope="col" key={f}>
                        {f}
                      </th>
                    ))}
                    <th scope="col">_creationTime</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {docs.data.map((d) => (
                    <tr key={d._id}>
                      <td className="mono">{d._id}</td>
                      {fields.map((f) => (
                        <td key={f} className="mono">
                          {f in d ? show(d[f]) : <span className="unset">unset</span>}
                        </td>
                      ))}
                      <td>{new Date(d._creationTime).toISOString()}</td>
                      <td className="row-actions">
                        <button
                          type="button"
                          className="secondary"
                          aria-label={`Edit ${d._id}`}
                          onClick={() => setEditing({ mode: "edit", doc: d })}
                        >
                          Edit
                        </button>
                        {confirming === d._id ? (
                          <button
                            type="button"
                            className="danger"
                            aria-label={`Confirm delete ${d._id}`}
                            onClick={() => void remove(d._id)}
                          >
                            Confirm delete
                          </button>
                        ) : (
                          <button
                            type="button"
                            className="secondary"
                            aria-label={`Delete ${d._id}`}
                            onClick={() => setConfirming(d._id)}
                          >
                            Delete
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {docs.data.length >= shown && shown < MAX_SHOWN && (
                <button
                  type="button"
                  className="secondary more"
                  onClick={() => setShown((n) => Math.min(n + PAGE, MAX_SHOWN))}
                >
                  Show more
                </button>
              )}
            </div>
          )}
        </div>
      </div>
    </Page>
  );
}
