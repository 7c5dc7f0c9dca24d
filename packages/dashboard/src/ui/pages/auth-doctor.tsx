/**
 * Auth doctor: the backend's configured issuers and why it refused the last tokens
 * (`_system/tandem/authRejections`), each with its cause and the fix to make — the backend sends
 * the same texts `tandem doctor auth` prints.
 */
import type { Api } from "../api.js";
import { usePoll } from "../hooks.js";
import { Alert, Page } from "../parts.js";
import { SimpleTable, when } from "./simple-table.js";

interface Report {
  now: number;
  pushed: boolean;
  providers: Array<{ kind?: string; issuer?: string; applicationID?: string; describe?: string; error?: string }>;
  rejections: Array<{
    at: number;
    reason: unknown;
    subject: string | null;
    message: string;
    cause?: string;
    fix?: string;
  }>;
  hint?: string;
}

/** The reason's kind, then the cause in words. */
function Reason({ reason, cause }: { reason: unknown; cause: string | undefined }) {
  const kind = typeof reason === "object" && reason !== null ? (reason as { kind?: string }).kind : String(reason);
  return (
    <>
      <strong>{kind ?? "unknown"}</strong>
      {cause && <div className="small">{cause}</div>}
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
        empty={r?.hint ? `No token was refused. ${r.hint}` : "No token was refused."}
        columns={[
          { header: "When", cell: (x) => when(x.at) },
          { header: "Subject", cell: (x) => x.subject ?? "", mono: true },
          { header: "Reason", cell: (x) => <Reason reason={x.reason} cause={x.cause} /> },
          { header: "Fix", cell: (x) => x.fix ?? "" },
          { header: "Client was told", cell: (x) => <span className="small">{x.message}</span> },
        ]}
      />
    </Page>
  );
}
