/** Environment variables: listed by `_system/cli/queryEnvironmentVariables`, changed by `POST /api/update_environment_variables`. */
import { useState, type FormEvent } from "react";
import type { Api } from "../api.js";
import { useAction, usePoll } from "../hooks.js";
import { Alert, Empty, Page } from "../parts.js";

export function EnvPage({ api }: { api: Api }) {
  const vars = usePoll(
    async () => (await api.run("_system/cli/queryEnvironmentVariables", {})) as Array<{ name: string; value: string }>,
    [api],
    0,
  );
  const [name, setName] = useState("");
  const [value, setValue] = useState("");
  const [shown, setShown] = useState<ReadonlySet<string>>(new Set());
  const action = useAction();
  const change = (changes: Array<{ name: string; value: string | null }>) =>
    action.run(async () => {
      await api.fetch("POST", "/_api/backend/api/update_environment_variables", { changes });
      vars.refresh();
    });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await change([{ name: name.trim(), value }])) {
      setName("");
      setValue("");
    }
  };
  const toggle = (n: string) =>
    setShown((s) => (s.has(n) ? new Set([...s].filter((x) => x !== n)) : new Set([...s, n])));
  return (
    <Page title="Environment variables">
      <form className="row panel" onSubmit={submit} aria-label="Set an environment variable">
        <label className="inline">
          <span>Name</span>
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            pattern="[A-Za-z][A-Za-z0-9_]{0,39}"
            title="A letter, then letters, digits or _ (at most 40)"
          />
        </label>
        <label className="inline grow">
          <span>Value</span>
          <input value={value} onChange={(e) => setValue(e.target.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          Set
        </button>
      </form>
      <Alert message={vars.error ?? action.error} />
      {vars.data?.length === 0 && <Empty>No environment variables.</Empty>}
      {!!vars.data?.length && (
        <table aria-label="Environment variables">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Value</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {vars.data.map((v) => (
              <tr key={v.name}>
                <td className="mono">{v.name}</td>
                <td className="mono">{shown.has(v.name) ? v.value : "••••••••"}</td>
                <td className="row-actions">
                  <button
                    type="button"
                    className="secondary"
                    aria-label={`${shown.has(v.name) ? "Hide" : "Show"} ${v.name}`}
                    onClick={() => toggle(v.name)}
                  >
                    {shown.has(v.name) ? "Hide" : "Show"}
                  </button>
                  <button
                    type="button"
                    className="secondary"
                    aria-label={`Edit ${v.name}`}
                    onClick={() => (setName(v.name), setValue(v.value))}
                  >
                    Edit
                  </button>
                  <button
                    type="button"
                    className="danger"
                    aria-label={`Remove ${v.name}`}
                    onClick={() => void change([{ name: v.name, value: null }])}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
