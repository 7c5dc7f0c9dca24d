/** JWT templates: list, create, delete, and a preview of a template's claims for a chosen user (their active session mints it). */
import { useState, type FormEvent } from "react";
import type { Api } from "../api.js";
import { parseJsonObject, useAction, usePoll } from "../hooks.js";
import { Alert, JsonEditor, Page } from "../parts.js";
import type { Session } from "./sessions.js";
import { SimpleTable } from "./simple-table.js";
import { UserPicker } from "./user-picker.js";

interface Template {
  id: string;
  name: string;
  claims: Record<string, unknown>;
  lifetime: number;
  allowed_clock_skew: number;
}

function payloadOf(jwt: string): unknown {
  const part = jwt.split(".")[1] ?? "";
  const bin = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)))) as unknown;
}

export function TemplatesPage({ api }: { api: Api }) {
  const templates = usePoll(async () => (await api.identity("GET", "/jwt_templates")) as Template[], [api], 0);
  const [name, setName] = useState("");
  const [claims, setClaims] = useState('{\n  "aud": "convex",\n  "email": "{{user.primary_email_address}}"\n}');
  const [lifetime, setLifetime] = useState("60");
  const action = useAction();
  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (
      await action.run(
        async () =>
          void (await api.identity("POST", "/jwt_templates", {
            name,
            claims: parseJsonObject(claims, "The claims"),
            lifetime: Number(lifetime),
          })),
      )
    ) {
      setName("");
      templates.refresh();
    }
  };
  const remove = (id: string) =>
    action.run(
      async () => void (await api.identity("DELETE", `/jwt_templates/${encodeURIComponent(id)}`), templates.refresh()),
    );
  return (
    <Page title="JWT templates">
      <Alert message={templates.error ?? action.error} />
      <SimpleTable
        label="JWT templates"
        rows={templates.data}
        rowKey={(t) => t.id}
        empty="No templates. Session tokens already carry the claims Convex needs."
        columns={[
          { header: "Name", cell: (t) => t.name, mono: true },
          { header: "Claims", cell: (t) => JSON.stringify(t.claims), mono: true },
          { header: "Lifetime (s)", cell: (t) => String(t.lifetime) },
          {
            header: "Actions",
            cell: (t) => (
              <button
                type="button"
                className="danger"
                aria-label={`Delete template ${t.name}`}
                onClick={() => void remove(t.id)}
              >
                Delete
              </button>
            ),
          },
        ]}
      />
      <form className="panel" aria-label="Create a JWT template" onSubmit={create}>
        <h2>New template</h2>
        <div className="row">
          <label className="inline">
            <span>Name</span>
            <input required value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <label className="inline">
            <span>Lifetime (seconds)</span>
            <input type="number" min={30} value={lifetime} onChange={(e) => setLifetime(e.target.value)} />
          </label>
        </div>
        <JsonEditor label="Claims (JSON)" value={claims} onChange={setClaims} rows={5} />
        <button type="submit" disabled={action.busy}>
          Create template
        </button>
      </form>
      {!!templates.data?.length && <Preview api={api} templates={templates.data} />}
    </Page>
  );
}

function Preview({ api, templates }: { api: Api; templates: Template[] }) {
  const [userId, setUserId] = useState("");
  const [template, setTemplate] = useState(templates[0]!.name);
  const [claims, setClaims] = useState<unknown>(null);
  const action = useAction();
  const preview = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      const sessions = (await api.identity(
        "GET",
        `/sessions?user_id=${encodeURIComponent(userId)}&status=active`,
      )) as Session[];
      const s = sessions[0];
      if (!s) throw new Error("This user has no active session: the preview mints a token for one.");
      const { jwt } = (await api.identity(
        "POST",
        `/sessions/${encodeURIComponent(s.id)}/tokens/${encodeURIComponent(template)}`,
      )) as { jwt: string };
      setClaims(payloadOf(jwt));
    });
  };
  return (
    <form className="panel" aria-label="Preview claims" onSubmit={preview}>
      <h2>Preview the claims for a user</h2>
      <div className="row">
        <UserPicker api={api} value={userId} onChange={setUserId} />
        <label className="inline">
          <span>Template</span>
          <select value={template} onChange={(e) => setTemplate(e.target.value)}>
            {templates.map((t) => (
              <option key={t.id}>{t.name}</option>
            ))}
          </select>
        </label>
        <button type="submit" className="secondary" disabled={!userId || action.busy}>
          Preview
        </button>
      </div>
      <Alert message={action.error} />
      {claims !== null && <pre className="mono result">{JSON.stringify(claims, null, 2)}</pre>}
    </form>
  );
}
