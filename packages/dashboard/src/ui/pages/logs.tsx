/**
 * Logs: the function log tail the official CLI reads (`GET /api/stream_function_logs`, a long
 * poll), newest first, with each execution's kind, path, duration, request id and log lines.
 */
import { useEffect, useState } from "react";
import type { Api } from "../api.js";
import { Alert, Empty, Page } from "../parts.js";

interface Entry {
  udfType?: string;
  identifier?: string;
  /** Seconds since the epoch, as the CLI's FunctionExecution. */
  timestamp?: number;
  /** Seconds. */
  executionTime?: number;
  requestId?: string;
  executionId?: string;
  logLines?: unknown[];
  error?: string | null;
  kind?: string;
}

/** Only the newest entries stay on screen. */
const KEEP = 500;

function line(l: unknown): string {
  if (typeof l === "string") return l;
  const o = l as { level?: string; messages?: string[] };
  return `${o.level ?? "LOG"} ${(o.messages ?? []).join(" ")}`;
}

export function LogsPage({ api }: { api: Api }) {
  const [entries, setEntries] = useState<Entry[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [paused, setPaused] = useState(false);
  useEffect(() => {
    if (paused) return;
    const abort = new AbortController();
    let cursor = 0;
    (async () => {
      while (!abort.signal.aborted) {
        try {
          const r = (await api.fetch(
            "GET",
            `/_api/backend/api/stream_function_logs?cursor=${cursor}`,
            undefined,
            abort.signal,
          )) as { entries: Entry[]; newCursor: number };
          cursor = r.newCursor;
          const done = r.entries.filter((e) => e.kind === undefined || e.kind === "Completion");
          if (done.length) setEntries((old) => [...done.reverse(), ...old].slice(0, KEEP));
          setError(null);
        } catch (e) {
          if (abort.signal.aborted) return;
          setError((e as Error).message);
          await new Promise((r) => setTimeout(r, 2000));
        }
      }
    })();
    return () => abort.abort();
  }, [api, paused]);
  return (
    <Page
      title="Logs"
      actions={
        <>
          <button type="button" className="secondary" onClick={() => setPaused((p) => !p)} aria-pressed={paused}>
            {paused ? "Resume" : "Pause"}
          </button>
          <button type="button" className="secondary" onClick={() => setEntries([])}>
            Clear
          </button>
        </>
      }
    >
      <Alert message={error} />
      {entries.length === 0 && <Empty>Waiting for function executions…</Empty>}
      {entries.length > 0 && (
        <div className="scroll">
          <table aria-label="Function logs">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Kind</th>
                <th scope="col">Function</th>
                <th scope="col">Duration</th>
                <th scope="col">Request id</th>
                <th scope="col">Outcome and log lines</th>
              </tr>
            </thead>
            <tbody aria-live="polite">
              {entries.map((e, i) => (
                <tr key={`${e.executionId ?? ""}${e.requestId ?? ""}${i}`} className={e.error ? "failed" : undefined}>
                  <td>{e.timestamp ? new Date(e.timestamp * 1000).toLocaleTimeString() : ""}</td>
                  <td>{e.udfType ?? ""}</td>
                  <td className="mono">{e.identifier ?? ""}</td>
                  <td>{e.executionTime !== undefined ? `${Math.round(e.executionTime * 1000)} ms` : ""}</td>
                  <td className="mono small">{e.requestId ?? ""}</td>
                  <td className="mono">
                    {e.error ? <div className="error-text">{e.error}</div> : <div>success</div>}
                    {(e.logLines ?? []).map((l, j) => (
                      <div key={j}>{line(l)}</div>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
