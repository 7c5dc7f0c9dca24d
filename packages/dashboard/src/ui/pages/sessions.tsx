/** Sessions: a user's sessions (Backend API), with revoke. */
import { useState } from "react";
import type { Api } from "../api.js";
import { useAction, usePoll } from "../hooks.js";
import { Alert, Page } from "../parts.js";
import { SimpleTable, when } from "./simple-table.js";
import { UserPicker } from "./user-picker.js";

export interface Session {
  id: string;
  user_id: string;
  status: string;
  last_active_at: number;
  expire_at: number;
  created_at: number;
}

export function SessionsPage({ api }: { api: Api }) {
  const [userId, setUserId] = useState("");
  const sessions = usePoll(
    async () =>
      userId
        ? ((await api.identity("GET", `/sessions?user_id=${encodeURIComponent(userId)}`)) as Session[])
        : undefined,
    [api, userId],
    3000,
  );
  const action = useAction();
  const revoke = (id: string) =>
    action.run(async () => {
      await api.identity("POST", `/sessions/${encodeURIComponent(id)}/revoke`);
      sessions.refresh();
    });
  return (
    <Page title="Sessions">
      <div className="row">
        <UserPicker api={api} value={userId} onChange={setUserId} />
      </div>
      <Alert message={sessions.error ?? action.error} />
      <SimpleTable
        label="Sessions"
        rows={sessions.data}
        rowKey={(s) => s.id}
        empty="This user has no sessions."
        columns={[
          { header: "Session id", cell: (s) => s.id, mono: true },
          { header: "Status", cell: (s) => s.status },
          { header: "Created", cell: (s) => when(s.created_at) },
          { header: "Last active", cell: (s) => when(s.last_active_at) },
          { header: "Expires", cell: (s) => when(s.expire_at) },
          {
            header: "Actions",
            cell: (s) =>
              s.status === "active" ? (
                <button
                  type="button"
                  className="danger"
                  aria-label={`Revoke ${s.id}`}
                  onClick={() => void revoke(s.id)}
                >
                  Revoke
                </button>
              ) : null,
          },
        ]}
      />
    </Page>
  );
}
