/**
 * `tandem webhooks add URL [--events a,b] | list | remove ID | deliveries ID | replay DELIVERY`:
 * webhook endpoints of the identity service, and (for `tandem dev --webhook /path`) an endpoint
 * on the app's own HTTP actions whose secret becomes the deployment variable the app verifies with.
 */
import { Command } from "commander";
import {
  identityCall,
  identityOptions,
  resolveIdentity,
  type IdentityApi,
  type IdentityFlags,
} from "../identity-api.js";
import { CliError, type Io } from "../io.js";

interface Endpoint {
  id: string;
  url: string;
  events: string[];
  secret?: string;
}

const splitEvents = (s: string | undefined) =>
  s
    ? s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;

export function registerWebhooks(program: Command, io: Io, done: (code: number) => void): void {
  const wh = program
    .command("webhooks")
    .description("webhook endpoints of the identity service (Svix-signed, like Clerk's)");
  identityOptions(wh.command("add <url>").description("add an endpoint; prints its id and signing secret"))
    .option("--events <types>", "comma-separated event types (default: all), e.g. user.created,user.updated")
    .action(async (url: string, flags: IdentityFlags & { events?: string }) => {
      const events = splitEvents(flags.events);
      const e = (await identityCall(resolveIdentity(flags), "POST", "/webhooks/endpoints", {
        url,
        ...(events ? { events } : {}),
      })) as Endpoint;
      io.out(`${e.id}  ${e.url}  ${e.events.length ? e.events.join(",") : "all events"}\nsigning secret: ${e.secret}`);
      done(0);
    });
  identityOptions(wh.command("list").description("list endpoints")).action(async (flags: IdentityFlags) => {
    const r = (await identityCall(resolveIdentity(flags), "GET", "/webhooks/endpoints")) as { data: Endpoint[] };
    for (const e of r.data) io.out(`${e.id}  ${e.url}  ${e.events.length ? e.events.join(",") : "all events"}`);
    done(0);
  });
  identityOptions(wh.command("remove <id>").description("remove an endpoint and its pending deliveries")).action(
    async (id: string, flags: IdentityFlags) => {
      await identityCall(resolveIdentity(flags), "DELETE", `/webhooks/endpoints/${encodeURIComponent(id)}`);
      io.out(`Removed ${id}`);
      done(0);
    },
  );
  identityOptions(wh.command("deliveries <id>").description("an endpoint's delivery log, newest first")).action(
    async (id: string, flags: IdentityFlags) => {
      const r = await identityCall(
        resolveIdentity(flags),
        "GET",
        `/webhooks/endpoints/${encodeURIComponent(id)}/deliveries?limit=50`,
      );
      for (const d of r.data as Array<Record<string, unknown>>)
        io.out(
          `${d.id}  ${d.event_type}  ${d.event_id}  ${d.status}  attempts=${d.attempts}  last=${d.last_status_code ?? "-"}`,
        );
      done(0);
    },
  );
  identityOptions(wh.command("replay <delivery>").description("send a delivery's event again (same svix-id)")).action(
    async (id: string, flags: IdentityFlags) => {
      const d = await identityCall(
        resolveIdentity(flags),
        "POST",
        `/webhooks/deliveries/${encodeURIComponent(id)}/replay`,
      );
      io.out(`Queued ${d.id} (event ${d.event_id})`);
      done(0);
    },
  );
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * The endpoint for `url`, created when missing: a `tandem dev` restart reuses it and its secret.
 * A loopback endpoint on the same path but another port is one an earlier `tandem dev` made on
 * other ports: it is replaced, so deliveries do not pile up for a port nobody listens on.
 */
export async function ensureEndpoint(api: IdentityApi, url: string): Promise<Endpoint & { secret: string }> {
  const list = (await identityCall(api, "GET", "/webhooks/endpoints")) as { data: Endpoint[] };
  const found = list.data.find((e) => e.url === url);
  if (found)
    return (await identityCall(api, "GET", `/webhooks/endpoints/${found.id}`)) as Endpoint & { secret: string };
  const want = new URL(url);
  for (const e of list.data) {
    const u = new URL(e.url);
    if (
      LOOPBACK_HOSTS.has(u.hostname) &&
      LOOPBACK_HOSTS.has(want.hostname) &&
      u.pathname === want.pathname &&
      u.port !== want.port
    )
      await identityCall(api, "DELETE", `/webhooks/endpoints/${e.id}`);
  }
  return (await identityCall(api, "POST", "/webhooks/endpoints", { url })) as Endpoint & { secret: string };
}

/** `tandem dev --webhook /path`: the app's HTTP action at `path` receives every identity event. */
export async function connectDevWebhook(
  path: string,
  identity: { url: string; secretKey: string },
  backend: { siteUrl: string; setEnvironmentVariables(vars: Record<string, string>): Promise<unknown> },
  variable = "CLERK_WEBHOOK_SECRET",
): Promise<string> {
  if (!/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(path))
    throw new CliError(
      `--webhook takes a path of the app's HTTP actions, like /clerk-users-webhook (got ${JSON.stringify(path)}).`,
    );
  const url = backend.siteUrl.replace(/\/+$/, "") + path;
  const ep = await ensureEndpoint(identity, url);
  await backend.setEnvironmentVariables({ [variable]: ep.secret });
  return `  Webhooks             ${url}   secret in deployment env var ${variable}`;
}
