/** The login form: the deployment's admin key, checked by the dashboard server. */
import { useState, type FormEvent } from "react";
import { Api } from "./api.js";
import { Alert } from "./parts.js";

export function Login({ onLogin, notice }: { onLogin(api: Api): void; notice: string | null }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLogin(await Api.login(key));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <form onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Tandem dashboard</h1>
        <p>
          Log in with this deployment's admin key: CONVEX_SELF_HOSTED_ADMIN_KEY in the app's .env.local, or
          backend/admin_key in the data folder.
        </p>
        <label className="field">
          <span>Admin key</span>
          <input
            type="password"
            autoComplete="off"
            autoFocus
            value={key}
            onChange={(e) => setKey(e.target.value)}
            required
          />
        </label>
        <button type="submit" disabled={busy}>
          Log in
        </button>
        <Alert message={error ?? notice} />
      </form>
    </main>
  );
}
