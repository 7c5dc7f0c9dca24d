/**
 * Keys: the publishable key, the issuer, and the signing keys (JWKS) the backend verifies tokens
 * with, with "Rotate" (two steps): a new key signs from then on, the old one stays published until
 * the tokens it signed have expired.
 */
import { useState } from "react";
import type { Api } from "../api.js";
import { useAction, usePoll } from "../hooks.js";
import { Alert, Page } from "../parts.js";
import { SimpleTable, when } from "./simple-table.js";

interface Info {
  backendUrl: string;
  identityUrl: string | null;
  publishableKey: string | null;
}
interface SigningKey {
  kid: string;
  status: "active" | "retired";
  algorithm: string;
  created_at: number;
  retired_at: number | null;
  removed_at: number | null;
}

export function KeysPage({ api }: { api: Api }) {
  const info = usePoll(async () => (await api.fetch("GET", "/_api/info")) as Info, [api], 0);
  const keys = usePoll(
    async () => ((await api.identity("GET", "/signing_keys")) as { data: SigningKey[] }).data,
    [api],
    5000,
  );
  const [confirming, setConfirming] = useState(false);
  const [rotated, setRotated] = useState<string | null>(null);
  const action = useAction();
  const rotate = () =>
    action.run(async () => {
      const r = (await api.identity("POST", "/signing_keys/rotate")) as { kid: string };
      setConfirming(false);
      setRotated(r.kid);
      keys.refresh();
    });
  const i = info.data;
  return (
    <Page
      title="Keys"
      actions={
        i?.identityUrl &&
        (confirming ? (
          <>
            <button type="button" className="danger" onClick={() => void rotate()} disabled={action.busy}>
              Confirm rotate
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Keep the current key
            </button>
          </>
        ) : (
          <button type="button" onClick={() => (setConfirming(true), setRotated(null))}>
            Rotate signing key
          </button>
        ))
      }
    >
      <Alert message={info.error ?? keys.error ?? action.error} />
      {confirming && (
        <p role="status" className="panel">
          A new key will sign every token from now on. The current key stays published until the tokens it signed have
          expired, so nobody is signed out; backends fetch the new key when they first see it.
        </p>
      )}
      {rotated && (
        <p role="status" className="panel">
          {`New signing key ${rotated} is active.`}
        </p>
      )}
      {i && (
        <dl className="facts">
          <dt>Backend URL</dt>
          <dd className="mono">{i.backendUrl}</dd>
          <dt>Identity issuer</dt>
          <dd className="mono">{i.identityUrl ?? "none"}</dd>
          <dt>Publishable key</dt>
          <dd className="mono">{i.publishableKey ?? "none"}</dd>
          <dt>Secret key</dt>
          <dd>
            Kept by the server (TANDEM_SECRET_KEY in .env.local); this dashboard uses it on your behalf and never shows
            it.
          </dd>
          <dt>Admin key</dt>
          <dd>The key you logged in with.</dd>
        </dl>
      )}
      <h2>Signing keys (JWKS)</h2>
      <p className="small">
        The active key signs; a rotated-out key stays published until the longest token it can have signed has expired,
        then leaves the JWKS. Keys also rotate on the interval the identity service is started with (
        <code>keyRotationSeconds</code>), and with <code>tandem keys rotate</code>.
      </p>
      <SimpleTable
        label="Signing keys"
        rows={keys.data}
        rowKey={(k) => k.kid}
        empty="No signing keys."
        columns={[
          { header: "Key id (kid)", cell: (k) => k.kid, mono: true },
          { header: "Status", cell: (k) => k.status },
          { header: "Algorithm", cell: (k) => k.algorithm },
          { header: "Created", cell: (k) => when(k.created_at) },
          { header: "Leaves the JWKS", cell: (k) => (k.removed_at ? when(k.removed_at) : "") },
        ]}
      />
    </Page>
  );
}
