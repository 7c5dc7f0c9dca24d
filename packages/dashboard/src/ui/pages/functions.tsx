/** Functions: every pushed function (from `_system/cli/modules:apiSpec`), run with JSON args as admin or as a user. */
import { useState, type FormEvent } from "react";
import { jsonToConvex } from "convex/values";
import type { Api } from "../api.js";
import { show } from "../api.js";
import { parseJsonObject, usePoll } from "../hooks.js";
import { userEmail, userName, type User } from "./users.js";
import { Alert, Empty, JsonEditor, Page } from "../parts.js";

interface Spec {
  identifier?: string;
  functionType: string;
  visibility?: { kind: string };
  args?: unknown;
  method?: string;
  path?: string;
}

/** `messages.js:list` → `messages:list`, the path clients call. */
const callPath = (identifier: string) => identifier.replace(/\.js(?=:)/, "");

type Outcome = { ok: true; value: unknown; ms: number } | { ok: false; error: string; ms: number };

export function FunctionsPage({ api }: { api: Api }) {
  const spec = usePoll(
    async () => ((await api.run("_system/cli/modules:apiSpec", {})) as Spec[]).filter((s) => s.identifier),
    [api],
    0,
  );
  const [chosen, setChosen] = useState<string | null>(null);
  const fn = spec.data?.find((s) => s.identifier === chosen) ?? spec.data?.[0];
  return (
    <Page title="Functions">
      <Alert message={spec.error} />
      {spec.data?.length === 0 && <Empty>No functions yet: push your app with `tandem dev`.</Empty>}
      <div className="split">
        <nav aria-label="Functions list" className="tables">
          <ul>
            {spec.data?.map((s) => (
              <li key={s.identifier}>
                <button
                  type="button"
                  className="table-button"
                  aria-current={s === fn ? "true" : undefined}
                  onClick={() => setChosen(s.identifier!)}
                >
                  <span className="mono">{callPath(s.identifier!)}</span>
                  <span className="tag">
                    {s.visibility?.kind === "internal"
                      ? `internal ${s.functionType.toLowerCase()}`
                      : s.functionType.toLowerCase()}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </nav>
        {fn && <Runner key={fn.identifier} api={api} fn={fn} />}
      </div>
    </Page>
  );
}

function Runner({ api, fn }: { api: Api; fn: Spec }) {
  const path = callPath(fn.identifier!);
  const [args, setArgs] = useState("{}");
  const [actingAs, setActingAs] = useState("");
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const start = performance.now();
    try {
      const parsed = jsonToConvex(parseJsonObject(args, "The arguments") as never) as Record<string, unknown>;
      const identity = actingAs.trim() ? parseJsonObject(actingAs, "The identity") : undefined;
      const value = await api.run(path, parsed, identity);
      setOutcome({ ok: true, value, ms: performance.now() - start });
    } catch (err) {
      setOutcome({ ok: false, error: (err as Error).message, ms: performance.now() - start });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="docs runner" onSubmit={submit} aria-label={`Run ${path}`}>
      <h2 className="mono">{path}</h2>
      <p>
        {fn.visibility?.kind ?? "public"} {fn.functionType.toLowerCase()}
        {fn.args !== undefined && fn.args !== null && (
          <span className="mono small"> args: {JSON.stringify(fn.args)}</span>
        )}
      </p>
      <JsonEditor label="Arguments (JSON)" value={args} onChange={setArgs} rows={5} />
      <ActAs api={api} onPick={setActingAs} />
      <JsonEditor
        label='Act as user (identity JSON, e.g. {"subject": "user_123"}; empty runs as admin)'
        value={actingAs}
        onChange={setActingAs}
        rows={2}
      />
      <button type="submit" disabled={busy}>
        Run
      </button>
      {outcome && (
        <section aria-label="Result" className={outcome.ok ? "result" : "result failed"} aria-live="polite">
          <h3>
            {outcome.ok ? "Result" : "Error"} <span className="small">({Math.round(outcome.ms)} ms)</span>
          </h3>
          {outcome.ok ? <pre className="mono">{show(outcome.value, 2)}</pre> : <pre role="alert">{outcome.error}</pre>}
        </section>
      )}
    </form>
  );
}

/** Fills the acting-as identity from one of the identity service's users (subject = user id, issuer = its URL). */
function ActAs({ api, onPick }: { api: Api; onPick(json: string): void }) {
  const data = usePoll(
    async () => {
      const info = (await api.fetch("GET", "/_api/info")) as { identityUrl: string | null };
      if (!info.identityUrl) return { issuer: null, users: [] as User[] };
      return { issuer: info.identityUrl, users: (await api.identity("GET", "/users?limit=200")) as User[] };
    },
    [api],
    0,
  );
  if (!data.data?.users.length) return null;
  const { issuer, users } = data.data;
  return (
    <label className="field">
      <span>Act as an identity user</span>
      <select
        defaultValue=""
        onChange={(e) => {
          const u = users.find((x) => x.id === e.target.value);
          onPick(
            u
              ? JSON.stringify(
                  {
                    subject: u.id,
                    issuer,
                    tokenIdentifier: `${issuer}|${u.id}`,
                    email: userEmail(u) || undefined,
                    name: userName(u) || undefined,
                  },
                  null,
                  1,
                )
              : "",
          );
        }}
      >
        <option value="">admin (no user)</option>
        {users.map((u) => (
          <option key={u.id} value={u.id}>
            {[userName(u), userEmail(u), u.id].filter(Boolean).join(" · ")}
          </option>
        ))}
      </select>
    </label>
  );
}
