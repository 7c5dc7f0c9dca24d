/** Users: the identity service's users through the Backend API (via the dashboard), searchable, with account actions. */
import { useState, type FormEvent } from "react";
import type { Api } from "../api.js";
import { useAction, usePoll } from "../hooks.js";
import { Alert, Empty, Page } from "../parts.js";

export interface User {
  id: string;
  first_name: string | null;
  last_name: string | null;
  username: string | null;
  email_addresses: Array<{ id: string; email_address: string }>;
  primary_email_address_id: string | null;
  banned: boolean;
  locked: boolean;
  created_at: number;
  last_sign_in_at: number | null;
}

export const userName = (u: User) => [u.first_name, u.last_name].filter(Boolean).join(" ") || u.username || "";
export const userEmail = (u: User) =>
  (u.email_addresses.find((e) => e.id === u.primary_email_address_id) ?? u.email_addresses[0])?.email_address ?? "";

export function UsersPage({ api }: { api: Api }) {
  const [search, setSearch] = useState("");
  const [query, setQuery] = useState("");
  const users = usePoll(
    async () =>
      (await api.identity("GET", `/users?limit=100${query ? `&query=${encodeURIComponent(query)}` : ""}`)) as User[],
    [api, query],
    3000,
  );
  const [creating, setCreating] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);
  const action = useAction();
  const act = (id: string, what: "ban" | "unban" | "lock" | "unlock" | "delete") =>
    action.run(async () => {
      if (what === "delete") await api.identity("DELETE", `/users/${encodeURIComponent(id)}`);
      else await api.identity("POST", `/users/${encodeURIComponent(id)}/${what}`);
      setConfirming(null);
      users.refresh();
    });
  return (
    <Page
      title="Users"
      actions={
        <button type="button" onClick={() => setCreating(true)}>
          Create user
        </button>
      }
    >
      <form className="row" role="search" onSubmit={(e) => (e.preventDefault(), setQuery(search.trim()))}>
        <label className="inline grow">
          <span>Search</span>
          <input
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="e-mail, name or id"
          />
        </label>
        <button type="submit" className="secondary">
          Search
        </button>
      </form>
      {creating && <CreateUser api={api} onDone={() => (setCreating(false), users.refresh())} />}
      <Alert message={users.error ?? action.error} />
      {users.data?.length === 0 && <Empty>{query ? `No user matches “${query}”.` : "No users yet."}</Empty>}
      {!!users.data?.length && (
        <table aria-label="Users">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">E-mail</th>
              <th scope="col">Id</th>
              <th scope="col">Created</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.data.map((u) => (
              <tr key={u.id}>
                <td>{userName(u)}</td>
                <td>{userEmail(u)}</td>
                <td className="mono small">{u.id}</td>
                <td>{new Date(u.created_at).toLocaleString()}</td>
                <td>{[u.banned && "banned", u.locked && "locked"].filter(Boolean).join(", ") || "active"}</td>
                <td className="row-actions">
                  <button
                    type="button"
                    className="secondary"
                    aria-label={`${u.banned ? "Unban" : "Ban"} ${userEmail(u) || u.id}`}
                    onClick={() => void act(u.id, u.banned ? "unban" : "ban")}
                  >
                    {u.banned ? "Unban" : "Ban"}
                  </button>
                  <button
                    type="button"
                    className="secondary"
                    aria-label={`${u.locked ? "Unlock" : "Lock"} ${userEmail(u) || u.id}`}
                    onClick={() => void act(u.id, u.locked ? "unlock" : "lock")}
                  >
                    {u.locked ? "Unlock" : "Lock"}
                  </button>
                  {confirming === u.id ? (
                    <button
                      type="button"
                      className="danger"
                      aria-label={`Confirm delete ${userEmail(u) || u.id}`}
                      onClick={() => void act(u.id, "delete")}
                    >
                      Confirm delete
                    </button>
                  ) : (
                    <button
                      type="button"
                      className="secondary"
                      aria-label={`Delete ${userEmail(u) || u.id}`}
                      onClick={() => setConfirming(u.id)}
                    >
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

function CreateUser({ api, onDone }: { api: Api; onDone(): void }) {
  const [email, setEmail] = useState("");
  const [first, setFirst] = useState("");
  const [last, setLast] = useState("");
  const [password, setPassword] = useState("");
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await action.run(async () => {
      await api.identity("POST", "/users", {
        email_address: [email.trim()],
        ...(first ? { first_name: first } : {}),
        ...(last ? { last_name: last } : {}),
        ...(password ? { password } : {}),
      });
    });
    if (ok) onDone();
  };
  return (
    <form
      className="panel"
      role="dialog"
      aria-label="Create user"
      onSubmit={submit}
      onKeyDown={(e) => e.key === "Escape" && onDone()}
    >
      <h2>Create user</h2>
      <div className="row">
        <label className="inline">
          <span>E-mail</span>
          <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        </label>
        <label className="inline">
          <span>First name</span>
          <input value={first} onChange={(e) => setFirst(e.target.value)} />
        </label>
        <label className="inline">
          <span>Last name</span>
          <input value={last} onChange={(e) => setLast(e.target.value)} />
        </label>
        <label className="inline">
          <span>Password (optional)</span>
          <input
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
      </div>
      <div className="row">
        <button type="submit" disabled={action.busy}>
          Create
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
      <Alert message={action.error} />
    </form>
  );
}
