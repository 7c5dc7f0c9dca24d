/** Dev inbox: the e-mails and codes a development identity instance "sent" (newest first). */
import type { Api } from "../api.js";
import { usePoll } from "../hooks.js";
import { Alert, Page } from "../parts.js";
import { SimpleTable, when } from "./simple-table.js";

interface Message {
  to: string;
  subject: string;
  text: string;
  code?: string | null;
  created_at?: number;
}

export function InboxPage({ api }: { api: Api }) {
  const inbox = usePoll(async () => (await api.fetch("GET", "/_api/inbox")) as Message[], [api], 2000);
  return (
    <Page title="Dev inbox">
      <Alert message={inbox.error} />
      <SimpleTable
        label="Dev inbox"
        rows={inbox.data}
        rowKey={(m, i) => `${m.created_at ?? 0}-${i}`}
        empty="No messages yet. Codes sent during sign-up and sign-in land here in development."
        columns={[
          { header: "To", cell: (m) => m.to },
          { header: "Subject", cell: (m) => m.subject },
          { header: "Code", cell: (m) => m.code ?? "", mono: true },
          { header: "Sent", cell: (m) => when(m.created_at) },
          { header: "Text", cell: (m) => <span className="small">{m.text}</span> },
        ]}
      />
    </Page>
  );
}
