/**
 * The identity service's sign-in factor settings for `tandem dev` and `tandem serve`
 * (docs/identity-factors.md#configuring-tandem-dev-and-tandem-serve): social providers, the SMS
 * relay and the passkey relying party. Flags name what to turn on; secrets come only from the
 * environment (and, for `dev`, the app's `.env.local`), never from the command line, where `ps` shows them.
 */
import type { IdentityServerOptions, OAuthProviderOptions } from "@tandem/identity";
import { InvalidArgumentError, type Command } from "commander";
import { CliError } from "./io.js";

export interface FactorFlags {
  /** Provider keys (`--oauth google --oauth acme`), each configured by `TANDEM_OAUTH_<KEY>_*`. */
  oauth?: string[];
  smsWebhook?: string;
  passkeyRpId?: string;
  passkeyOrigin?: string[];
}

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(",").filter(Boolean)];

function parseUrl(value: string): string {
  try {
    return new URL(value).href;
  } catch {
    throw new InvalidArgumentError("must be a URL.");
  }
}

export function addFactorOptions(cmd: Command): Command {
  return cmd
    .option(
      "--oauth <provider>",
      "enable a social sign-in provider (repeatable or comma-separated); its client id and secret come from TANDEM_OAUTH_<PROVIDER>_CLIENT_ID/_CLIENT_SECRET (default: $TANDEM_OAUTH_PROVIDERS)",
      collect,
    )
    .option(
      "--sms-webhook <url>",
      "HTTP relay that sends text messages (bearer token from $TANDEM_SMS_BEARER_TOKEN; default: $TANDEM_SMS_WEBHOOK_URL)",
      parseUrl,
    )
    .option(
      "--passkey-rp-id <domain>",
      "WebAuthn relying-party id (default: $TANDEM_PASSKEY_RP_ID, else the page's host)",
    )
    .option(
      "--passkey-origin <origin>",
      "page origin allowed to use passkeys (repeatable or comma-separated; default: $TANDEM_PASSKEY_ORIGINS, else any allowed page)",
      collect,
    );
}

type Env = Record<string, string | undefined>;
const list = (v: string | undefined) =>
  v
    ? v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;

/** One provider from `TANDEM_OAUTH_<KEY>_*` (KEY upper-cased). */
function providerFrom(key: string, env: Env): OAuthProviderOptions {
  if (!/^[a-z0-9_]{1,40}$/.test(key))
    throw new CliError(`--oauth ${JSON.stringify(key)}: a provider key is lower-case letters, digits or _`);
  const prefix = `TANDEM_OAUTH_${key.toUpperCase()}_`;
  const get = (name: string) => env[prefix + name] || undefined;
  const clientId = get("CLIENT_ID");
  const clientSecret = get("CLIENT_SECRET");
  if (!clientId || !clientSecret)
    throw new CliError(`--oauth ${key} needs ${prefix}CLIENT_ID and ${prefix}CLIENT_SECRET in the environment.`);
  const optional = {
    issuer: get("ISSUER"),
    name: get("NAME"),
    scopes: get("SCOPES"),
    authorizationEndpoint: get("AUTHORIZATION_ENDPOINT"),
    tokenEndpoint: get("TOKEN_ENDPOINT"),
    userinfoEndpoint: get("USERINFO_ENDPOINT"),
    emailsEndpoint: get("EMAILS_ENDPOINT"),
  };
  const given = Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined));
  return { provider: key, clientId, clientSecret, ...given };
}

/** The `startIdentityServer` options the flags and environment ask for (nothing when none are set). */
export function factorOptionsFrom(
  flags: FactorFlags,
  env: Env,
): Pick<IdentityServerOptions, "oauthProviders" | "sms" | "passkeys"> {
  const keys = flags.oauth ?? list(env.TANDEM_OAUTH_PROVIDERS) ?? [];
  const webhookUrl = flags.smsWebhook ?? env.TANDEM_SMS_WEBHOOK_URL;
  const rpId = flags.passkeyRpId ?? env.TANDEM_PASSKEY_RP_ID;
  const origins = flags.passkeyOrigin ?? list(env.TANDEM_PASSKEY_ORIGINS);
  const token = env.TANDEM_SMS_BEARER_TOKEN;
  return {
    ...(keys.length ? { oauthProviders: [...new Set(keys)].map((k) => providerFrom(k, env)) } : {}),
    ...(webhookUrl ? { sms: { webhookUrl, ...(token ? { bearerToken: token } : {}) } } : {}),
    ...(rpId || origins
      ? {
          passkeys: {
            ...(rpId ? { rpId } : {}),
            ...(origins ? { origins: origins.map((o) => new URL(o).origin) } : {}),
          },
        }
      : {}),
  };
}
