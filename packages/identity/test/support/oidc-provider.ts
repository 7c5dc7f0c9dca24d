/**
 * A real OpenID Connect provider for tests (`oidc-provider` from npm) on 127.0.0.1:0, with one
 * confidential client. Its login and consent screens are replaced by a handler that logs in
 * whichever account the test chose (`as`), so a scripted browser can walk the redirects.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import Provider from "oidc-provider";

export interface OidcAccount {
  sub: string;
  email: string;
  email_verified: boolean;
  given_name?: string;
  family_name?: string;
}

export interface TestOidc {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The account the next login signs in as. */
  as: OidcAccount;
  /** Registers the relying party's callback (known once the identity server is up). */
  allowRedirect(uri: string): void;
  close(): Promise<void>;
}

export async function startOidcProvider(): Promise<TestOidc> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_q, res) => res.writeHead(503).end();
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const state: TestOidc = {
    issuer,
    clientId: "tandem-test",
    clientSecret: "a-long-enough-client-secret-for-tests",
    as: { sub: "alice", email: "alice@oidc.test", email_verified: true },
    allowRedirect: (uri) => void (handler = serve(uri)),
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
  const accounts = new Map<string, OidcAccount>();
  // The provider is built once the client's callback is known (client metadata is checked up front).
  const serve = (redirectUri: string) => {
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: state.clientId,
          client_secret: state.clientSecret,
          redirect_uris: [redirectUri],
          grant_types: ["authorization_code"],
          response_types: ["code"],
          token_endpoint_auth_method: "client_secret_basic",
        },
      ],
      async findAccount(_ctx: unknown, id: string) {
        const a = accounts.get(id);
        return a ? { accountId: id, claims: async () => ({ ...a }) } : undefined;
      },
      claims: {
        openid: ["sub"],
        email: ["email", "email_verified"],
        profile: ["given_name", "family_name"],
      },
      interactions: {
        url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
      },
      features: { devInteractions: { enabled: false } },
      pkce: { required: () => true },
      cookies: { keys: ["test-cookie-signing-key"] },
    });
    const callback = provider.callback();
    return (req: IncomingMessage, res: ServerResponse) => {
      if (!req.url?.startsWith("/interaction/")) return void callback(req, res);
      void (async () => {
        const details = await provider.interactionDetails(req, res);
        if (details.prompt.name === "login") {
          accounts.set(state.as.sub, state.as);
          return provider.interactionFinished(
            req,
            res,
            { login: { accountId: state.as.sub } },
            { mergeWithLastSubmission: false },
          );
        }
        const grant = new provider.Grant({
          accountId: details.session!.accountId,
          clientId: details.params.client_id as string,
        });
        const missing = details.prompt.details as {
          missingOIDCScope?: string[];
          missingOIDCClaims?: string[];
        };
        if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
        if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
        const grantId = await grant.save();
        return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      })().catch((e) => {
        res.writeHead(500).end(String(e));
      });
    };
  };
  return state;
}
