/** Auth doctor: the backend's configured issuers and why it refused the last tokens (`_system/tandem/authRejections`). */
import type { Api } from "../api.js";
import { usePoll } from "../hooks.js";
import { Alert, Page } from "../parts.js";
import { SimpleTable, when } from "./simple-table.js";

interface Report {
  now: number;
  pushed: boolean;
  providers: Array<{ kind?: string; issuer?: string; applicationID?: string; describe?: string; error?: string }>;
  rejections: Array<{ at: number; reason: unknown; subject: string | null; message: string }>;
}

/** `{kind, …details}` → the kind, then each detail as `name: value` (the CLI's `tandem doctor auth` adds the fix). */
function Reason({ reason }: { reason: unknown }) {
  if (typeof reason !== "object" || reason === null) return <>{String(reason)}</>;
  const { kind, ...details } = reason as { kind?: string } & Record<string, unknown>;
  return (
    <>
      <strong>{kind ?? "unknown"}</strong>
      {Object.entries(details).map(([k, v]) => (
        <div key={k} className="small">
          {k}: {typeof v === "string" ? v : JSON.stringify(v)}
        </div>
      ))}
    </>
  );
}

export function AuthDoctorPage({ api }: { api: Api }) {
  const report = usePoll(async () => (await api.run("_system/tandem/authRejections", {})) as Report, [api], 2000);
  const r = report.data;
  return (
    <Page title="Auth doctor">
      <Alert message={report.error} />
      {r && !r.pushed && <p role="status">Nothing is pushed yet, so no auth.config.ts is in effect.</p>}
      <h2>Configured providers (auth.config.ts)</h2>
      <SimpleTable
        label="Auth providers"
        rows={r?.providers}
        rowKey={(p, i) => `${p.issuer ?? p.error ?? ""}${i}`}
        empty="No auth providers: every token is refused."
        columns={[
          { header: "Issuer", cell: (p) => p.error ?? p.issuer ?? "", mono: true },
          { header: "applicationID", cell: (p) => p.applicationID ?? "", mono: true },
          { header: "Kind", cell: (p) => p.kind ?? "" },
        ]}
      />
      <h2>Last rejected tokens</h2>
      <SimpleTable
        label="Rejected tokens"
        rows={r?.rejections}
        rowKey={(x, i) => `${x.at}-${i}`}
        empty="No token was refused."
        columns={[
          { header: "When", cell: (x) => when(x.at) },
          { header: "Subject", cell: (x) => x.subject ?? "", mono: true },
          { header: "Reason", cell: (x) => <Reason reason={x.reason} /> },
          { header: "Message", cell: (x) => x.message },
        ]}
      />
    </Page>
  );
}
