/**
 * Data: tables by name (with sizes), the newest documents of the chosen one polled every second
 * (so writes from anywhere show up without a reload), a field or index filter, and add / edit /
 * delete through `_system/frontend/*`, which validate against the pushed schema.
 */
import { useState } from "react";
import { jsonToConvex } from "convex/values";
import type { Api } from "../api.js";
import { show } from "../api.js";
import { useAction, usePoll } from "../hooks.js";
import { Alert, Empty, Page } from "../parts.js";
import { DocEditor } from "./doc-editor.js";
import { FilterBar, filterSpec, type Filter, type IndexInfo } from "./filter-bar.js";

type Doc = { _id: string; _creationTime: number } & Record<string, unknown>;
/** Documents shown at first, and how many more "Show more" adds (up to MAX_SHOWN). */
const PAGE = 100;
const MAX_SHOWN = 1000;

async function tableNames(api: Api): Promise<Array<{ name: string; size: number }>> {
  const mapping = (await api.run("_system/frontend/getTableMapping", {})) as Record<string, string>;
  const names = new Set(Object.values(mapping));
  const schemas = (await api.run("_system/frontend/getSchemas", { componentId: null })) as { active?: string | null };
  if (schemas.active)
    for (const t of (JSON.parse(schemas.active) as { tables?: Array<{ tableName: string }> }).tables ?? [])
      names.add(t.tableName);
  const sorted = [...names].sort();
  return Promise.all(
    sorted.map(async (name) => ({
      name,
      size: Number(await api.run("_system/frontend/tableSize", { tableName: name })),
    })),
  );
}

export function DataPage({ api }: { api: Api }) {
  const tables = usePoll(() => tableNames(api), [api], 2000);
  const [chosen, setChosen] = useState<string | null>(null);
  const table = chosen ?? tables.data?.[0]?.name ?? null;
  const [filter, setFilter] = useState<Filter | null>(null);
  const [shown, setShown] = useState(PAGE);
  const docs = usePoll(async () => {
    if (!table) return [] as Doc[];
    const filters = filterSpec(filter);
    const r = (await api.run("_system/frontend/paginatedTableDocuments", {
      table,
      paginationOpts: { cursor: null, numItems: shown },
      filters,
    })) as { page: Doc[]; isDone: boolean };
    return r.page;
  }, [api, table, filter, shown]);
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
    docs.refresh();
  };
  const replace = (id: string) => async (doc: Record<string, unknown>) => {
    await api.mutate("_system/frontend/replaceDocument", { id, document: jsonToConvex(doc as never) });
    docs.refresh();
  };
  const remove = (id: string) =>
    action.run(async () => {
      await api.mutate("_system/frontend/deleteDocuments", { toDelete: [{ id, tableName: table }] });
      setConfirming(null);
      docs.refresh();
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
      docs.refresh();
      tables.refresh();
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
            {tables.data?.map((t) => (
              <li key={t.name}>
                <button
                  type="button"
                  className="table-button"
                  aria-current={t.name === table ? "true" : undefined}
                  onClick={() => (
                    setChosen(t.name),
                    setFilter(null),
                    setClearing(false),
                    setEditing(null),
                    setShown(PAGE)
                  )}
                >
                  <span>{t.name}</span>{" "}
                  <span className="count" aria-label={`${t.size} documents`}>
                    {t.size}
                  </span>
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
