/**
 * The identity service's data-access contract. Domain code talks only to this interface; one
 * implementation (`sql/store.ts`) runs on SQLite (`sqlite/`, one process) and on Postgres
 * (`postgres/`, several nodes sharing the database).
 * Every method is atomic on its own (no transaction spans an `await` in domain code), which keeps
 * the interface easy to implement on any SQL engine. Times are epoch milliseconds.
 */
import type {
  ClientId,
  EmailId,
  InstanceId,
  KeyId,
  PhoneId,
  SessionId,
  SignInId,
  SignUpId,
  TemplateId,
  TotpId,
  UserId,
} from "../ids.js";
import type { OutboxEvent, WebhookStore } from "./webhook-types.js";
import type { OrganizationId, OrganizationStore, OrgRoleStore } from "./org-types.js";

export type { OutboxEvent } from "./webhook-types.js";

export type InstanceKind = "development" | "production";

export interface InstanceRecord {
  id: InstanceId;
  kind: InstanceKind;
  secretKey: string;
  createdAt: number;
}

export interface SigningKeyRecord {
  kid: KeyId;
  instanceId: InstanceId;
  /** PKCS#8 PEM. Never leaves the store except to sign. */
  privatePem: string;
  publicJwk: Record<string, unknown>;
  createdAt: number;
  retiredAt: number | null;
}

export interface EmailRecord {
  id: EmailId;
  email: string;
  verified: boolean;
  createdAt: number;
}

export type Metadata = Record<string, unknown>;

export interface UserRecord {
  id: UserId;
  instanceId: InstanceId;
  externalId: string | null;
  firstName: string | null;
  lastName: string | null;
  username: string | null;
  imageUrl: string | null;
  passwordHash: string | null;
  passwordUpdatedAt: number | null;
  primaryEmailId: EmailId | null;
  emails: EmailRecord[];
  publicMetadata: Metadata;
  privateMetadata: Metadata;
  unsafeMetadata: Metadata;
  banned: boolean;
  /** Locked until this time (ms); `Infinity` is not used: admin locks store a far-future time. */
  lockedUntil: number | null;
  failedAttempts: number;
  lastSignInAt: number | null;
  lastActiveAt: number | null;
  createdAt: number;
  updatedAt: number;
  /** Filled by the store on read (from `second_factors` tables); never written through `saveUser`. */
  secondFactors?: SecondFactorSummary;
  /** Filled by the store on read (`user_phone_numbers`); changed only through the phone methods. */
  phones?: PhoneRecord[];
  /** Filled by the store on read (`external_accounts`): the social / OIDC accounts linked to the user. */
  externalAccounts?: ExternalAccountRecord[];
  /** Filled by the store on read (`passkeys`, verified ones only). */
  passkeys?: PasskeyRecord[];
  /** Filled by the store on read: `user.createExternalAccount` connections still at the provider, or failed. */
  externalAccountConnections?: ExternalAccountConnection[];
}

export interface ClientRecord {
  id: ClientId;
  instanceId: InstanceId;
  /** SHA-256 (hex) of the rotating secret carried by the client cookie/header. */
  tokenHash: string;
  signInId: SignInId | null;
  signUpId: SignUpId | null;
  lastActiveSessionId: SessionId | null;
  createdAt: number;
  updatedAt: number;
}

export type SessionStatus = "active" | "ended" | "removed" | "revoked" | "expired" | "replaced";

export interface SessionRecord {
  id: SessionId;
  instanceId: InstanceId;
  clientId: ClientId;
  userId: UserId;
  status: SessionStatus;
  firstFactorAt: number;
  lastActiveAt: number;
  expireAt: number;
  abandonAt: number;
  createdAt: number;
  updatedAt: number;
  /** The organization chosen with clerk-js `setActive({ organization })`; absent or null: none. */
  activeOrganizationId?: OrganizationId | null;
}

/** A pending one-time code: only its hash is kept. */
export interface PendingCode {
  strategy: "email_code" | "reset_password_email_code" | "phone_code";
  /** The phone number a `phone_code` went to. */
  phoneId?: PhoneId | null;
  /** `null` when the identifier named no account (enumeration protection: nothing was sent). */
  emailId: EmailId | null;
  codeHash: string;
  expireAt: number;
  attempts: number;
}

/** A magic link: only a SHA-256 of its secret is kept; it works once, before `expireAt`, for the flow that asked. */
export interface PendingLink {
  secretHash: string;
  expireAt: number;
  /** Where `/v1/verify` sends the browser back (checked against the asking page's origin). */
  redirectUrl: string;
  status: "unverified" | "verified" | "expired" | "failed";
}

/** What a sign-in keeps while the browser is at the provider (PKCE verifier, nonce, a digest of the state secret). */
export interface PendingOAuth {
  provider: string;
  stateHash: string;
  nonce: string;
  codeVerifier: string;
  redirectUrl: string;
  actionCompleteRedirectUrl: string | null;
  expireAt: number;
  /** `transferable` (sign-ups only): the provider account is an existing user's; a `transfer` sign-in takes it over. */
  status: "unverified" | "verified" | "failed" | "expired" | "transferable";
  error: string | null;
  /** The provider URL the browser goes to (clerk-js reads it from the sign-in while unverified). */
  authorizationUrl: string;
  /** A `transferable` sign-up: the existing user the transfer signs in. */
  transferUserId?: UserId | null;
}

export type SignInStatus =
  "needs_identifier" | "needs_first_factor" | "needs_second_factor" | "needs_new_password" | "complete";

export interface SignInRecord {
  id: SignInId;
  instanceId: InstanceId;
  clientId: ClientId;
  status: SignInStatus;
  identifier: string | null;
  userId: UserId | null;
  code: PendingCode | null;
  /** Strategy of the last verification attempt and its status, for `first_factor_verification`. */
  verification: {
    strategy: string;
    status: "unverified" | "verified" | "failed" | "expired";
    attempts: number;
    expireAt: number | null;
  } | null;
  createdSessionId: SessionId | null;
  /** A pending or spent e-mail link (`email_link` first factor). */
  emailLink?: PendingLink | null;
  /** A pending passkey assertion (`passkey` first factor): challenge, RP id and origin. */
  passkey?: { challenge: string; rpId: string; origin: string; options: string } | null;
  /** A pending OAuth / OIDC redirect (`oauth_<provider>`), see `oauth/flow.ts`. */
  oauth?: PendingOAuth | null;
  /** The second-factor attempt (TOTP, backup code), once the sign-in needs one. */
  secondFactor?: {
    strategy: string;
    status: "unverified" | "verified" | "failed";
    attempts: number;
    /** The SMS code sent for a `phone_code` second factor. */
    code?: { codeHash: string; expireAt: number; attempts: number } | null;
  } | null;
  createdAt: number;
  updatedAt: number;
}

export type SignUpStatus = "missing_requirements" | "complete" | "abandoned";

export interface SignUpRecord {
  id: SignUpId;
  instanceId: InstanceId;
  clientId: ClientId;
  status: SignUpStatus;
  email: string | null;
  emailVerified: boolean;
  passwordHash: string | null;
  firstName: string | null;
  lastName: string | null;
  username: string | null;
  unsafeMetadata: Metadata;
  code: { codeHash: string; expireAt: number; attempts: number } | null;
  verificationStatus: "unverified" | "verified" | "failed" | "expired" | null;
  /** A pending or spent e-mail link (`email_link` verification of the address). */
  emailLink?: PendingLink | null;
  /** An optional phone number (E.164); when given it must be verified by `phone_code` too. */
  phone?: string | null;
  phoneVerified?: boolean;
  phoneCode?: { codeHash: string; expireAt: number; attempts: number } | null;
  /** A pending or finished OAuth / OIDC redirect (`signUp.authenticateWithRedirect`, `fapi/oauth-sign-up.ts`). */
  oauth?: PendingOAuth | null;
  createdUserId: UserId | null;
  createdSessionId: SessionId | null;
  createdAt: number;
  updatedAt: number;
}

export interface JwtTemplateRecord {
  id: TemplateId;
  instanceId: InstanceId;
  name: string;
  claims: Record<string, unknown>;
  lifetime: number;
  allowedClockSkew: number;
  createdAt: number;
  updatedAt: number;
}

export interface InboxRecord {
  id: number;
  instanceId: InstanceId;
  to: string;
  subject: string;
  text: string;
  code: string | null;
  createdAt: number;
}

export type UserOrder =
  "created_at" | "updated_at" | "last_sign_in_at" | "email_address" | "username" | "first_name" | "last_name";

export interface UserQuery {
  emailAddresses?: string[];
  usernames?: string[];
  userIds?: string[];
  externalIds?: string[];
  /** Case-insensitive substring over names, username, e-mails and id. */
  query?: string;
  orderBy?: { field: UserOrder; desc: boolean };
  limit?: number;
  offset?: number;
}

export interface SessionQuery {
  userId?: UserId;
  clientId?: ClientId;
  status?: SessionStatus;
}

/** Raised by the store when a unique constraint (e-mail, username, template name) would break. */
export class UniqueViolation extends Error {
  override name = "UniqueViolation";
  constructor(readonly field: "email" | "username" | "external_id" | "template_name" | "slug" | "role_key") {
    super(`unique violation on ${field}`);
  }
}

// --- Second factors (TOTP and backup codes); one table each, see sqlite/second-factors.ts. ---

export interface SecondFactorSummary {
  totp: boolean;
  backupCodes: boolean;
}

export interface TotpRecord {
  id: TotpId;
  instanceId: InstanceId;
  userId: UserId;
  /** Base32 shared secret. Kept as is (a TOTP check needs it), like the signing keys. */
  secret: string;
  verified: boolean;
  /** The last 30-second step a code was accepted for: a code is never accepted twice. */
  lastUsedStep: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface SecondFactorStore {
  getTotp(instanceId: InstanceId, userId: UserId): Promise<TotpRecord | null>;
  /** Inserts or replaces the user's (single) TOTP. */
  saveTotp(row: TotpRecord): Promise<void>;
  deleteTotp(instanceId: InstanceId, userId: UserId): Promise<boolean>;
  /** Atomically records `step` as used; false when it (or a later step) was used already (a replay). */
  useTotpStep(instanceId: InstanceId, userId: UserId, step: number): Promise<boolean>;
  /** Replaces every backup code of the user with these SHA-256 digests. */
  replaceBackupCodes(instanceId: InstanceId, userId: UserId, hashes: string[], at: number): Promise<void>;
  /** Atomically spends one unused backup code; false when no unused code has this digest. */
  consumeBackupCode(instanceId: InstanceId, userId: UserId, hash: string, at: number): Promise<boolean>;
  deleteBackupCodes(instanceId: InstanceId, userId: UserId): Promise<void>;
}

// --- Phone numbers; one table, see sqlite/phone-numbers.ts. ---

export interface PhoneRecord {
  id: PhoneId;
  instanceId: InstanceId;
  userId: UserId;
  /** E.164, e.g. `+15555550100`. */
  phone: string;
  verified: boolean;
  reservedForSecondFactor: boolean;
  defaultSecondFactor: boolean;
  /** A pending verification code (SHA-256 only). */
  code: { codeHash: string; expireAt: number; attempts: number } | null;
  createdAt: number;
  updatedAt: number;
}

export interface PhoneStore {
  getPhone(instanceId: InstanceId, id: PhoneId): Promise<PhoneRecord | null>;
  /** Inserts or replaces; false (nothing written) when another record already holds this number. */
  savePhone(row: PhoneRecord): Promise<boolean>;
  deletePhone(instanceId: InstanceId, id: PhoneId): Promise<boolean>;
  /** The user whose verified phone number this is. */
  findUserIdByPhone(instanceId: InstanceId, phone: string): Promise<UserId | null>;
}

// --- External (OAuth / OIDC) accounts; one table, see sqlite/external-accounts.ts. ---

export interface ExternalAccountRecord {
  id: string;
  instanceId: InstanceId;
  userId: UserId;
  /** The configured provider's key, e.g. `google` (the strategy is `oauth_<provider>`). */
  provider: string;
  /** The provider's stable subject (`sub`). */
  subject: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  imageUrl: string | null;
  scopes: string;
  createdAt: number;
  updatedAt: number;
}

/**
 * A signed-in user connecting another provider account (`POST /v1/me/external_accounts`): the
 * browser is at the provider; the callback links the account and deletes this row, or marks it failed.
 */
export interface ExternalAccountConnection {
  /** `eac_…`; also the flow id in the provider `state`. */
  id: string;
  instanceId: InstanceId;
  userId: UserId;
  /** The browser that started it: only its callback counts. */
  clientId: ClientId;
  oauth: PendingOAuth;
  createdAt: number;
  updatedAt: number;
}

export interface ExternalAccountStore {
  findExternalAccount(instanceId: InstanceId, provider: string, subject: string): Promise<ExternalAccountRecord | null>;
  /** Inserts or replaces (by provider and subject). */
  saveExternalAccount(row: ExternalAccountRecord): Promise<void>;
  deleteExternalAccount(instanceId: InstanceId, id: string): Promise<void>;
  getExternalAccountConnection(instanceId: InstanceId, id: string): Promise<ExternalAccountConnection | null>;
  /** Inserts or replaces by id. */
  saveExternalAccountConnection(row: ExternalAccountConnection): Promise<void>;
  deleteExternalAccountConnection(instanceId: InstanceId, id: string): Promise<void>;
}

// --- Passkeys (WebAuthn); one table, see sqlite/passkeys.ts. ---

export interface PasskeyRecord {
  id: string;
  instanceId: InstanceId;
  userId: UserId;
  name: string;
  /** base64url credential id; null until the registration verified. */
  credentialId: string | null;
  /** base64url COSE public key. */
  publicKey: string | null;
  counter: number;
  transports: string[];
  /** The pending registration: its challenge, RP id and expected origin. */
  pending: { challenge: string; rpId: string; origin: string; expireAt: number } | null;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface PasskeyStore {
  getPasskey(instanceId: InstanceId, id: string): Promise<PasskeyRecord | null>;
  findPasskeyByCredential(instanceId: InstanceId, credentialId: string): Promise<PasskeyRecord | null>;
  savePasskey(row: PasskeyRecord): Promise<void>;
  deletePasskey(instanceId: InstanceId, id: string): Promise<boolean>;
  /** Atomically moves the signature counter forward; false when `counter` is not above the stored one (a cloned or replayed authenticator), unless both are 0. */
  advancePasskeyCounter(instanceId: InstanceId, id: string, counter: number, at: number): Promise<boolean>;
}

// --- Rate-limit counters; one table, see sql/rate-limits.ts. ---

export interface RateLimitStore {
  /**
   * Counts one request for `key` in its fixed window of `windowMs` (a new window starts at `now`
   * when the last one has run out). Atomic across every node sharing the store.
   */
  hitRateLimit(key: string, now: number, windowMs: number): Promise<{ start: number; count: number }>;
  /** Forgets `key`'s window: its next request starts a new one. */
  resetRateLimit(key: string): Promise<void>;
}

/**
 * Methods that change users or sessions take the webhook events the change causes; the store writes
 * them to its outbox in the same transaction (nothing is lost between the change and its event).
 */
export interface IdentityStore
  extends
    WebhookStore,
    OrganizationStore,
    OrgRoleStore,
    SecondFactorStore,
    PhoneStore,
    ExternalAccountStore,
    PasskeyStore,
    RateLimitStore {
  getInstance(kind: InstanceKind): Promise<InstanceRecord | null>;
  insertInstance(row: InstanceRecord): Promise<void>;

  listSigningKeys(instanceId: InstanceId): Promise<SigningKeyRecord[]>;
  insertSigningKey(row: SigningKeyRecord): Promise<void>;
  retireSigningKey(kid: KeyId, at: number): Promise<void>;
  deleteSigningKeysRetiredBefore(instanceId: InstanceId, before: number): Promise<number>;

  /** Inserts or replaces the user and their e-mail addresses; throws `UniqueViolation`. */
  saveUser(user: UserRecord, events?: readonly OutboxEvent[]): Promise<void>;
  getUser(instanceId: InstanceId, id: UserId): Promise<UserRecord | null>;
  findUserByEmail(instanceId: InstanceId, email: string): Promise<UserRecord | null>;
  findUserByUsername(instanceId: InstanceId, username: string): Promise<UserRecord | null>;
  listUsers(instanceId: InstanceId, q: UserQuery): Promise<UserRecord[]>;
  countUsers(instanceId: InstanceId, q: UserQuery): Promise<number>;
  deleteUser(instanceId: InstanceId, id: UserId, events?: readonly OutboxEvent[]): Promise<boolean>;
  /** Atomically counts a failed attempt; locks the user when the count reaches `max`. Returns the new count. */
  recordFailedAttempt(instanceId: InstanceId, id: UserId, max: number, lockUntil: number): Promise<number>;
  /** Clears the failure count and any lock (after a success, an expired lock or an admin unlock). */
  resetFailedAttempts(instanceId: InstanceId, id: UserId): Promise<void>;

  getClient(instanceId: InstanceId, id: ClientId): Promise<ClientRecord | null>;
  saveClient(row: ClientRecord): Promise<void>;

  getSession(instanceId: InstanceId, id: SessionId): Promise<SessionRecord | null>;
  saveSession(row: SessionRecord, events?: readonly OutboxEvent[]): Promise<void>;
  listSessions(instanceId: InstanceId, q: SessionQuery): Promise<SessionRecord[]>;

  getSignIn(instanceId: InstanceId, id: SignInId): Promise<SignInRecord | null>;
  saveSignIn(row: SignInRecord): Promise<void>;
  getSignUp(instanceId: InstanceId, id: SignUpId): Promise<SignUpRecord | null>;
  saveSignUp(row: SignUpRecord): Promise<void>;

  listTemplates(instanceId: InstanceId): Promise<JwtTemplateRecord[]>;
  getTemplate(instanceId: InstanceId, id: TemplateId): Promise<JwtTemplateRecord | null>;
  getTemplateByName(instanceId: InstanceId, name: string): Promise<JwtTemplateRecord | null>;
  /** Inserts or replaces; throws `UniqueViolation("template_name")`. */
  saveTemplate(row: JwtTemplateRecord): Promise<void>;
  deleteTemplate(instanceId: InstanceId, id: TemplateId): Promise<boolean>;

  addInboxMessage(row: Omit<InboxRecord, "id">): Promise<void>;
  listInbox(instanceId: InstanceId, limit: number): Promise<InboxRecord[]>;

  close(): Promise<void>;
}
