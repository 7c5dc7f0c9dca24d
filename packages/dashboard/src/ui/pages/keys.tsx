/** Keys: the publishable key, the issuer, and the signing keys (JWKS) the backend verifies tokens with. */
import type { Api } from "../api.js";
import { usePoll } from "../hooks.js";
import { Alert, Page } from "../parts.js";
import { SimpleTable } from "./simple-table.js";

interface Info {
  backendUrl: string;
  identityUrl: string | null;
  publishableKey: string | null;
}
interface Jwk {
  kid: string;
  kty: string;
  alg?: string;
  use?: string;
}

export function KeysPage({ api }: { api: Api }) {
  const info = usePoll(async () => (await api.fetch("GET", "/_api/info")) as Info, [api], 0);
  const jwks = usePoll(async () => ((await api.identity("GET", "/jwks")) as { keys: Jwk[] }).keys, [api], 5000);
  const i = info.data;
  return (
    <Page title="Keys">
      <Alert message={info.error ?? jwks.error} />
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
        The newest key signs; older ones stay published until retired so tokens they signed still verify. Keys rotate on
        the interval the identity service is started with (<code>keyRotationSeconds</code>); rotating on demand from
        here is not available yet.
      </p>
      <SimpleTable
        label="Signing keys"
        rows={jwks.data}
        rowKey={(k) => k.kid}
        empty="No signing keys."
        columns={[
          { header: "Key id (kid)", cell: (k) => k.kid, mono: true },
          { header: "Type", cell: (k) => k.kty },
          { header: "Algorithm", cell: (k) => k.alg ?? "" },
          { header: "Use", cell: (k) => k.use ?? "" },
        ]}
      />
    </Page>
  );
}
