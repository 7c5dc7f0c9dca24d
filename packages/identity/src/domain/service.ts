/**
 * The identity domain for one instance: users, sessions, lockout and tokens. The Frontend and
 * Backend APIs are thin HTTP layers over this object; tests and benchmarks can drive it directly.
 */
import type { Logger } from "@tandem/shared";
import { ApiError } from "../errors.js";
import { newId, type ClientId, type SessionId, type UserId } from "../ids.js";
import type { PasskeyOptions, ResolvedSecurity } from "../config.js";
import type { KeyRing } from "../crypto/keyring.js";
import type { Mailer } from "../mail/mailer.js";
import type { SmsSender } from "../sms/sender.js";
import type { OAuthProviders } from "../oauth/providers.js";
import { AttemptLimits } from "../security/attempt-limits.js";
import type { RateLimiter } from "../security/rate-limit.js";
import type { TokenMinter, MintContext } from "../tokens/minter.js";
import type { ActiveOrg } from "../tokens/org-claims.js";
import { RoleCatalog } from "./org-roles.js";
import type { IdentityStore, InstanceRecord, SessionRecord, SessionStatus, UserRecord } from "../store/types.js";
import type { OutboxEvent } from "../store/webhook-types.js";

/** `lockedUntil` of an admin lock: no expiry. */
export const LOCKED_FOREVER = 8.64e15;

/**
 * The webhook events the service's own writes cause (built by `webhooks/events.ts` in the API's
 * JSON shapes, handed in so the domain does not import the API layer that imports it).
 */
export interface ServiceEvents {
  userUpdated(svc: IdentityService, u: UserRecord): OutboxEvent;
  sessionChanged(svc: IdentityService, before: SessionStatus | null, s: SessionRecord): OutboxEvent[];
}

export interface ServiceDeps {
  store: IdentityStore;
  events: ServiceEvents;
  instance: InstanceRecord;
  issuer: string;
  keys: KeyRing;
  minter: TokenMinter;
  mailer: Mailer;
  sms: SmsSender;
  oauth: OAuthProviders;
  passkeys: PasskeyOptions;
  limiter: RateLimiter;
  security: ResolvedSecurity;
  logger: Logger;
  appName: string;
  sessionLifetimeMs: number;
  keyRotationSeconds: number | undefined;
  clock: () => number;
}

export interface ActiveSession {
  session: SessionRecord;
  user: UserRecord;
}

export class IdentityService {
  /** The sign-in/sign-up rate limits (per IP, per identifier). */
  readonly limits: AttemptLimits;
  /** Organization roles (system and custom); `openIdentityService` loads it. */
  readonly orgRoles = new RoleCatalog();

  constructor(private readonly deps: ServiceDeps) {
    this.limits = new AttemptLimits(deps.limiter, deps.security);
  }

  get store() {
    return this.deps.store;
  }
  get instance(): InstanceRecord {
    return this.deps.instance;
  }
  get instanceId() {
    return this.deps.instance.id;
  }
  get issuer() {
    return this.deps.issuer;
  }
  get appName() {
    return this.deps.appName;
  }
  get security(): ResolvedSecurity {
    return this.deps.security;
  }
  get logger(): Logger {
    return this.deps.logger;
  }
  get keys(): KeyRing {
    return this.deps.keys;
  }
  get mailer(): Mailer {
    return this.deps.mailer;
  }
  get sms(): SmsSender {
    return this.deps.sms;
  }
  get passkeys(): PasskeyOptions {
    return this.deps.passkeys;
  }
  get oauth(): OAuthProviders {
    return this.deps.oauth;
  }
  now() {
    return this.deps.clock();
  }

  async requireUser(id: UserId): Promise<UserRecord> {
    const u = await this.store.getUser(this.instanceId, id);
    if (!u) throw new ApiError("resource_not_found", { param: "user_id" });
    return u;
  }

  /** Seconds left on a lock, `null` for an admin lock, `0` when not locked. */
  lockRemaining(u: UserRecord, now = this.now()): number | null {
    if (u.lockedUntil === null || u.lockedUntil <= now) return 0;
    if (u.lockedUntil >= LOCKED_FOREVER) return null;
    return Math.ceil((u.lockedUntil - now) / 1000);
  }

  /** Refuses banned and locked users; clears a lock that has run out. */
  async assertCanSignIn(u: UserRecord): Promise<void> {
    if (u.banned) throw new ApiError("user_banned");
    const left = this.lockRemaining(u);
    if (left !== 0)
      throw new ApiError("user_locked", {
        meta: { lockout_expires_in_seconds: left },
        ...(left ? { retryAfter: left } : {}),
      });
    if (u.lockedUntil !== null) await this.store.resetFailedAttempts(this.instanceId, u.id);
  }

  /** Counts a failed password or code; throws `user_locked` when this failure locks the account. */
  async recordFailure(u: UserRecord): Promise<void> {
    const { maxFailedAttempts, lockoutSeconds } = this.deps.security;
    const count = await this.store.recordFailedAttempt(
      this.instanceId,
      u.id,
      maxFailedAttempts,
      this.now() + lockoutSeconds * 1000,
    );
    if (count >= maxFailedAttempts) {
      this.deps.logger.warn("account locked after failed attempts", { user_id: u.id });
      throw new ApiError("user_locked", {
        meta: { lockout_expires_in_seconds: lockoutSeconds },
        retryAfter: lockoutSeconds,
      });
    }
  }

  /**
   * An administrator's unlock: the lock and the failure count go, and so do the per-identifier
   * sign-in windows, so the user can sign in at once (not only after the window runs out).
   */
  async unlock(u: UserRecord): Promise<UserRecord> {
    const next = { ...u, lockedUntil: null, failedAttempts: 0, updatedAt: this.now() };
    await this.store.saveUser(next, [this.deps.events.userUpdated(this, next)]);
    await this.limits.clearUser(next);
    this.deps.logger.info("account unlocked", { user_id: u.id });
    return next;
  }

  async recordSuccess(u: UserRecord): Promise<void> {
    if (u.failedAttempts > 0 || u.lockedUntil !== null) await this.store.resetFailedAttempts(this.instanceId, u.id);
  }

  /** Starts a session on `clientId`; earlier active sessions on that client end (single-session mode). */
  async createSession(clientId: ClientId, user: UserRecord): Promise<SessionRecord> {
    const now = this.now();
    for (const s of await this.store.listSessions(this.instanceId, { clientId, status: "active" }))
      await this.setSessionStatus(s, "ended");
    const session: SessionRecord = {
      id: newId.session(),
      instanceId: this.instanceId,
      clientId,
      userId: user.id,
      status: "active",
      firstFactorAt: now,
      lastActiveAt: now,
      expireAt: now + this.deps.sessionLifetimeMs,
      abandonAt: now + this.deps.sessionLifetimeMs,
      createdAt: now,
      updatedAt: now,
    };
    await this.store.saveSession(session, this.deps.events.sessionChanged(this, null, session));
    await this.store.saveUser({ ...user, lastSignInAt: now, lastActiveAt: now, failedAttempts: 0, lockedUntil: null });
    return session;
  }

  async setSessionStatus(s: SessionRecord, status: SessionStatus): Promise<SessionRecord> {
    const next = { ...s, status, updatedAt: this.now() };
    await this.store.saveSession(next, this.deps.events.sessionChanged(this, s.status, next));
    return next;
  }

  async revokeUserSessions(userId: UserId, except?: SessionId): Promise<void> {
    for (const s of await this.store.listSessions(this.instanceId, { userId, status: "active" }))
      if (s.id !== except) await this.setSessionStatus(s, "revoked");
  }

  /**
   * The session if it may still get tokens: active, not expired, its user present and not banned.
   * An expired session is marked so on the way.
   */
  async activeSession(id: SessionId): Promise<ActiveSession | null> {
    const session = await this.store.getSession(this.instanceId, id);
    if (!session || session.status !== "active") return null;
    if (session.expireAt <= this.now()) {
      await this.setSessionStatus(session, "expired");
      return null;
    }
    const user = await this.store.getUser(this.instanceId, session.userId);
    if (!user || user.banned) return null;
    return { session, user };
  }

  async #maybeRotateKeys(): Promise<void> {
    const every = this.deps.keyRotationSeconds;
    if (every && this.deps.keys.activeAgeMs(this.now()) > every * 1000) await this.deps.keys.rotate(this.now());
  }

  /** The session's active organization, while the user is still a member of it. */
  async activeOrg(s: SessionRecord): Promise<ActiveOrg | null> {
    if (!s.activeOrganizationId) return null;
    const org = await this.store.getOrganization(this.instanceId, s.activeOrganizationId);
    const membership = org ? await this.store.getMembership(this.instanceId, org.id, s.userId) : null;
    return org && membership ? { org, membership, permissions: this.orgRoles.permissions(membership.role) } : null;
  }

  async mintSessionToken(a: ActiveSession, ctx: MintContext = {}): Promise<string> {
    await this.#maybeRotateKeys();
    return this.deps.minter.sessionToken(a.session, a.user, {
      now: this.now(),
      org: await this.activeOrg(a.session),
      ...ctx,
    });
  }

  async mintTemplateToken(a: ActiveSession, templateName: string, ctx: MintContext = {}): Promise<string> {
    const template = await this.store.getTemplateByName(this.instanceId, templateName);
    if (!template)
      throw new ApiError("resource_not_found", { param: "template_name", detail: "No JWT template has this name." });
    await this.#maybeRotateKeys();
    return this.deps.minter.templateToken(template, a.user, {
      now: this.now(),
      org: await this.activeOrg(a.session),
      ...ctx,
    });
  }

  /** Longest lifetime + skew of any token we sign: how long a retired key must stay published. */
  async maxTokenLifetimeSeconds(sessionLifetime: number, sessionSkew: number): Promise<number> {
    const templates = await this.store.listTemplates(this.instanceId);
    return Math.max(sessionLifetime + sessionSkew, ...templates.map((t) => t.lifetime + t.allowedClockSkew));
  }
}
