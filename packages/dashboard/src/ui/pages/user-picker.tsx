/** A select of the identity service's users, for pages that act on one user. */
import type { Api } from "../api.js";
import { usePoll } from "../hooks.js";
import { Alert } from "../parts.js";
import { userEmail, userName, type User } from "./users.js";

export function UserPicker({ api, value, onChange }: { api: Api; value: string; onChange(id: string): void }) {
  const users = usePoll(async () => (await api.identity("GET", "/users?limit=200")) as User[], [api], 0);
  return (
    <>
      <label className="inline">
        <span>User</span>
        <select value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">Choose a user…</option>
          {users.data?.map((u) => (
            <option key={u.id} value={u.id}>
              {[userName(u), userEmail(u), u.id].filter(Boolean).join(" · ")}
            </option>
          ))}
        </select>
      </label>
      <Alert message={users.error} />
    </>
  );
}
