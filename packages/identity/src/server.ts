/**
 * `startIdentityServer`: opens the store under `dataDir`, creates the instance on first start
 * (secret key, signing key, the `convex` template) and reuses it afterwards, then serves the
 * Frontend API, Backend API, discovery/JWKS and (development) the dev inbox on node:http.
 */
import { createIdentityMetrics, type IdentityMetrics } from "./http/metrics.js";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { silentLogger } from "@tandem/shared";
import {
  DEFAULT_NATIVE_TOKEN_LIFETIME_SECONDS,
  DEFAULT_PORT,
  resolveSecurity,
  SESSION_CLOCK_SKEW_SECONDS,
  type IdentityServerOptions,
} from "./config.js";
import { KeyRing } from "./crypto/keyring.js";
import { createSmsSender } from "./sms/sender.js";
import { OAuthProviders } from "./oauth/providers.js";
import { IdentityService } from "./domain/service.js";
import { createRequestHandler } from "./http/app.js";
import { newId } from "./ids.js";
import { newSecretKey, publishableKey } from "./keys.js";
import { createMailer } from "./mail/mailer.js";
import { RateLimiter } from "./security/rate-limit.js";
import { openIdentityStore } from "./store/open.js";
import type { IdentityStore, InstanceKind, InstanceRecord } from "./store/types.js";
import { CONVEX_TEMPLATE } from "./tokens/presets.js";
import { TokenMinter } from "./tokens/minter.js";
import { WebhookDispatcher } from "./webhooks/dispatcher.js";
import { withEmailEvents } from "./webhooks/email-events.js";
import { sessionEvents, userEvent } from "./webhooks/events.js";
import { retryBaseFromEnv } from "./webhooks/schedule.js";

export interface InboxMessage {
  to: string;
  subject: string;
  text: string;
  code: string | null;
  createdAt: number;
}

export interface IdentityServer {
  url: string;
  issuer: string;
  publishableKey: string;
  secretKey: string;
  /** Dev-inbox messages, newest first (development instances). */
  inbox(): Promise<InboxMessage[]>;
  close(): Promise<void>;
}

async function ensureInstance(store: IdentityStore, kind: InstanceKind, now: number): Promise<InstanceRecord> {
  const existing = await store.getInstance(kind);
  if (existing) return existing;
  const instance: InstanceRecord = { id: newId.instance(), kind, secretKey: newSecretKey(kind), createdAt: now };
  try {
    await store.insertInstance(instance);
  } catch (e) {
    // Another node sharing the database created it first: use theirs.
    const theirs = await store.getInstance(kind);
    if (theirs) return theirs;
    throw e;
  }
  await store.saveTemplate({
    id: newId.template(),
    instanceId: instance.id,
    name: CONVEX_TEMPLATE.name,
    claims: structuredClone(CONVEX_TEMPLATE.claims) as Record<string, unknown>,
    lifetime: CONVEX_TEMPLATE.lifetime,
    allowedClockSkew: CONVEX_TEMPLATE.allowedClockSkew,
    createdAt: now,
    updatedAt: now,
  });
  return instance;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const addr = server.address();
      resolve(typeof addr === "object" && addr ? addr.port : port);
    });
  });
}

/** Builds the service without HTTP (tests and benchmarks drive it directly too). */
export async function openIdentityService(opts: IdentityServerOptions & { issuer: string }) {
  const logger = (opts.logger ?? silentLogger).child("identity");
  const clock = opts.clock ?? Date.now;
  const kind = opts.instance ?? "development";
  const store = await openIdentityStore(opts.dataDir, opts.database);
  const instance = await ensureInstance(store, kind, clock());
  const sessionLifetime = opts.sessionTokenLifetimeSeconds ?? 60;
  const nativeLifetime = opts.nativeSessionTokenLifetimeSeconds ?? DEFAULT_NATIVE_TOKEN_LIFETIME_SECONDS;
  let svc: IdentityService | null = null;
  // A retired key stays published as long as the longest token it signed, native ones included.
  const keys = new KeyRing(store, instance.id, () =>
    svc
      ? svc.maxTokenLifetimeSeconds(Math.max(sessionLifetime, nativeLifetime), SESSION_CLOCK_SKEW_SECONDS)
      : Promise.resolve(24 * 3600),
  );
  svc = new IdentityService({
    store,
    events: { userUpdated: (svc, u) => userEvent(svc, "user.updated", u), sessionChanged: sessionEvents },
    instance,
    issuer: opts.issuer,
    keys,
    minter: new TokenMinter(keys, opts.issuer, {
      lifetimeSeconds: sessionLifetime,
      nativeLifetimeSeconds: nativeLifetime,
      clockSkewSeconds: SESSION_CLOCK_SKEW_SECONDS,
      audience: "convex",
    }),
    mailer: withEmailEvents(createMailer({ kind, instanceId: instance.id, store, smtp: opts.smtp, logger }), store, {
      instanceId: instance.id,
      now: clock,
    }),
    sms: createSmsSender({ kind, instanceId: instance.id, store, sms: opts.sms, logger, clock }),
    oauth: new OAuthProviders(opts.oauthProviders),
    passkeys: opts.passkeys ?? {},
    limiter: new RateLimiter(store, clock),
    security: resolveSecurity(opts.security),
    logger,
    appName: "Tandem",
    sessionLifetimeMs: (opts.sessionLifetimeSeconds ?? 7 * 24 * 3600) * 1000,
    keyRotationSeconds: opts.keyRotationSeconds,
    clock,
  });
  await keys.load(clock());
  await svc.orgRoles.reload(store, instance.id);
  return svc;
}

export async function startIdentityServer(opts: IdentityServerOptions): Promise<IdentityServer> {
  const host = opts.host ?? "127.0.0.1";
  const logger = (opts.logger ?? silentLogger).child("identity");
  const server = createServer();
  server.keepAliveTimeout = 65_000;
  // `/health` (up) and `/ready` (take traffic: not while starting or closing), docs/operations.md.
  let state: "starting" | "ready" | "draining" = "starting";
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  let metrics: IdentityMetrics | null = null;
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "").split("?")[0];
    if (path === "/health" || path === "/ready") {
      const ok = path === "/health" || state === "ready";
      res.writeHead(ok ? 200 : 503, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" });
      return void res.end(path === "/health" ? "OK" : state);
    }
    if (!handle || state === "draining") {
      res.writeHead(503, { "Content-Type": "text/plain; charset=utf-8", "Retry-After": "1" });
      return void res.end(state === "draining" ? "This server is shutting down." : "This server is starting.");
    }
    if (metrics && req.method === "GET" && path === "/metrics") return void metrics.answer(req, res);
    metrics?.observe(req, res);
    handle(req, res);
  });
  const port = await listen(server, opts.port ?? DEFAULT_PORT, host);
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const issuer = (opts.publicUrl ?? url).replace(/\/+$/, "");
  let svc: IdentityService;
  try {
    svc = await openIdentityService({ ...opts, issuer });
  } catch (e) {
    server.close();
    throw e;
  }
  const dispatcher = new WebhookDispatcher({
    store: svc.store,
    logger,
    clock: opts.clock ?? Date.now,
    retryBaseMs: opts.webhookRetryMs ?? retryBaseFromEnv(),
    ...(opts.webhookTimeoutMs ? { timeoutMs: opts.webhookTimeoutMs } : {}),
  });
  dispatcher.start();
  // Nodes sharing the store: keys another node rotated and roles it changed reach this node's
  // in-memory copies within one interval (everything else is read from the store per request).
  const clock = opts.clock ?? Date.now;
  const poll = svc.store.pollIntervalMs;
  const follower =
    poll === null
      ? null
      : setInterval(
          () =>
            void Promise.all([svc.keys.load(clock()), svc.orgRoles.reload(svc.store, svc.instanceId)]).catch((e) =>
              logger.warn("reloading keys and roles failed", { error: (e as Error).message }),
            ),
          Math.max(poll, 1000) * 5,
        );
  follower?.unref();
  handle = createRequestHandler({
    svc,
    issuer,
    allowedOrigins: opts.allowedOrigins ?? [],
    secureCookies: issuer.startsWith("https:"),
    logger,
  });
  metrics = createIdentityMetrics(svc.store, svc.instance.secretKey, opts.clock ?? Date.now);
  state = "ready";
  logger.info("identity service listening", { url, issuer, instance: svc.instance.kind });
  return {
    url,
    issuer,
    publishableKey: publishableKey(svc.instance.kind, issuer),
    secretKey: svc.instance.secretKey,
    async inbox() {
      return (await svc.store.listInbox(svc.instanceId, 100)).map((m) => ({
        to: m.to,
        subject: m.subject,
        text: m.text,
        code: m.code,
        createdAt: m.createdAt,
      }));
    },
    async close() {
      state = "draining";
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (follower) clearInterval(follower);
      await dispatcher.stop();
      svc.mailer.close();
      await svc.store.close();
    },
  };
}
