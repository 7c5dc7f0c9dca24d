/**
 * `Tandem`: the headless client of the identity service's Frontend API. It owns the client's
 * resources (client, session, user, sign-in and sign-up attempts), the token cache, cross-tab
 * sync, and the observable `authState`:
 *
 *   loading ──load()──▶ signedOut ──setActive({session})──▶ signedIn ──signOut()──▶ signedOut
 *                    └─▶ signedIn (a session survived from before)
 *
 * No DOM API is touched at import time; browsers get cookie mode and tab sync, every other
 * runtime header mode with the client token kept in `storage`.
 */
import { AuthApiError, AuthClientError } from "./errors.js";
import { decodePublishableKey } from "./keys.js";
import { notify, ObservableValue, type Observable } from "./observable.js";
import type { ResourceCore } from "./resources/core.js";
import type { ClientJSON, Envelope } from "./resources/json.js";
import type { ClientResource } from "./resources/client.js";
import { SessionResource } from "./resources/session.js";
import { SignIn } from "./resources/sign-in.js";
import { SignUp } from "./resources/sign-up.js";
import type { UserResource } from "./resources/user.js";
import {
  organization as organizationResource,
  type OrganizationJSON,
  type OrganizationResource,
} from "./resources/organization.js";
import { memoryStorage, type AuthStorage } from "./storage.js";
import { instanceFactors, type EnvironmentJSON, type InstanceFactors } from "./environment.js";
import { completionTarget } from "./resources/oauth.js";
import { openTabSync, type TabSync } from "./tab-sync.js";
import { TokenCache, type GetTokenOptions } from "./tokens.js";
import { FapiTransport, type FormValue, type HttpMethod, type TransportMode } from "./transport.js";

export type AuthState =
  | { status: "loading" }
  | { status: "signedOut" }
  | { status: "signedIn"; session: SessionResource; user: UserResource };

export interface TandemOptions {
  /** `pk_test_…`/`pk_live_…`: names the identity service's Frontend API. */
  publishableKey: string;
  /** Full Frontend API URL, overriding the key's host (a same-origin proxy path, a test port). */
  frontendApi?: string;
  /** Default: `cookie` in browsers, `header` elsewhere (Node, React Native). */
  transport?: TransportMode;
  /** Header mode: where the client token is kept (default: in memory). */
  storage?: AuthStorage;
  fetch?: typeof fetch;
  /** Re-read the client when another tab signs in or out (default: on in cookie mode). */
  crossTabSync?: boolean;
  /** Seconds before `exp` at which a cached token is no longer served (default 15). */
  tokenLeewaySeconds?: number;
  /** Used for `signOut({ redirectUrl })`; default `location.assign` where there is one. */
  navigate?: (to: string) => void | Promise<unknown>;
}

export interface Resources {
  client: ClientResource | null;
  session: SessionResource | null;
  user: UserResource | null;
}

export interface SignOutOptions {
  sessionId?: string;
  redirectUrl?: string;
}

export interface SetActiveParams {
  /** Omitted: the current session (to switch only the organization). `null` signs out. */
  session?: SessionResource | { readonly id: string } | string | null;
  /** An organization id (or resource) the user belongs to; `null`: the personal account. */
  organization?: OrganizationResource | string | null;
  /** Runs after the switch and before listeners hear of it (Clerk's option of the same name). */
  beforeEmit?: (session: SessionResource | null) => void | Promise<unknown>;
}

const isBrowser = () => typeof (globalThis as { document?: unknown }).document !== "undefined";

function defaultNavigate(to: string): void {
  const loc = (globalThis as { location?: { assign?: (url: string) => void } }).location;
  loc?.assign?.(to);
}

const sameAuthState = (a: AuthState, b: AuthState) =>
  a.status === b.status &&
  (a.status !== "signedIn" ||
    (b.status === "signedIn" &&
      a.session.id === b.session.id &&
      a.user.updatedAt.getTime() === b.user.updatedAt.getTime()));

export class Tandem implements ResourceCore {
  readonly publishableKey: string;
  readonly frontendApi: string;
  readonly instanceType: "development" | "production";
  readonly signIn: SignIn;
  readonly signUp: SignUp;
  readonly #transport: FapiTransport;
  readonly #tokens: TokenCache;
  readonly #authState = new ObservableValue<AuthState>({ status: "loading" }, sameAuthState);
  readonly #listeners = new Set<(r: Resources) => void>();
  readonly #changeListeners = new Set<() => void>();
  readonly #navigate: (to: string) => void | Promise<unknown>;
  readonly #crossTab: boolean;
  #client: ClientResource | null = null;
  #environment: Promise<InstanceFactors> | null = null;
  #session: SessionResource | null = null;
  #loaded = false;
  #loading: Promise<void> | null = null;
  #tabSync: TabSync | null = null;
  #batch = 0;
  #revision = 0;
  #destroyed = false;

  constructor(options: TandemOptions) {
    const key = decodePublishableKey(options.publishableKey);
    this.publishableKey = options.publishableKey;
    this.instanceType = key.instance;
    this.frontendApi = (options.frontendApi ?? key.frontendApi).replace(/\/+$/, "");
    const mode = options.transport ?? (isBrowser() ? "cookie" : "header");
    const f = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#transport = new FapiTransport({
      baseUrl: this.frontendApi,
      mode,
      storage: options.storage ?? memoryStorage(),
      fetch: f,
    });
    this.#crossTab = options.crossTabSync ?? mode === "cookie";
    this.#navigate = options.navigate ?? defaultNavigate;
    this.#tokens = new TokenCache(
      (sessionId, template) => this.#mintToken(sessionId, template),
      options.tokenLeewaySeconds ?? 15,
      (_sessionId, error) => {
        if (error instanceof AuthApiError && (error.httpStatus === 401 || error.httpStatus === 404))
          void this.reload().catch(() => {});
      },
    );
    this.signIn = new SignIn(this, () => this.#changed());
    this.signUp = new SignUp(this, () => this.#changed());
  }

  get transportMode(): TransportMode {
    return this.#transport.mode;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  get client(): ClientResource | null {
    return this.#client;
  }
  get session(): SessionResource | null {
    return this.#session;
  }
  get user(): UserResource | null {
    return this.#session?.user ?? null;
  }
  /** The session's active organization (`null`: the personal account or signed out). */
  get organization(): OrganizationResource | null {
    const s = this.#session;
    if (!s?.lastActiveOrganizationId) return null;
    return (
      s.user.organizationMemberships.find((m) => m.organization.id === s.lastActiveOrganizationId)?.organization ?? null
    );
  }
  /** `loading | signedOut | signedIn`; subscribe to follow it. */
  get authState(): Observable<AuthState> {
    return this.#authState;
  }
  /** Increases on every change of any resource (for `useSyncExternalStore`). */
  get revision(): number {
    return this.#revision;
  }

  /** Reads the client from the server and picks its active session. Safe to call repeatedly. */
  load(): Promise<void> {
    this.#assertAlive();
    this.#loading ??= this.reload().then(
      () => {
        this.#loaded = true;
        if (this.#crossTab && !this.#tabSync)
          this.#tabSync = openTabSync(`tandem:${this.frontendApi}`, () => void this.reload().catch(() => {}));
        this.#changed();
      },
      (e: unknown) => {
        this.#loading = null;
        throw e;
      },
    );
    return this.#loading;
  }

  /** Re-reads `/v1/client` and follows the server's active session (another tab, an ended session). */
  async reload(): Promise<void> {
    const body = await this.#transport.request<Envelope<ClientJSON | null>>("GET", "/v1/client");
    this.#applyClient(body?.response ?? null, true);
  }

  /** Calls `listener` with the resources now (once loaded) and after every change. */
  addListener(listener: (resources: Resources) => void): () => void {
    this.#listeners.add(listener);
    if (this.#loaded) notify(listener, this.#resources());
    return () => void this.#listeners.delete(listener);
  }

  /** Low-level change signal (no initial call): fires on every change, including sign-in/up progress. */
  subscribe(listener: () => void): () => void {
    this.#changeListeners.add(listener);
    return () => void this.#changeListeners.delete(listener);
  }

  async setActive(params: SetActiveParams): Promise<void> {
    this.#assertAlive();
    if (params.session === null) {
      await this.signOut();
      return;
    }
    const id =
      params.session === undefined
        ? this.#session?.id
        : typeof params.session === "string"
          ? params.session
          : params.session.id;
    if (!id) throw new AuthClientError("not_signed_in", "There is no session to make active.");
    const org = params.organization;
    const fields =
      org === undefined
        ? undefined
        : { active_organization_id: org === null ? "" : typeof org === "string" ? org : org.id };
    await this.call("POST", `/v1/client/sessions/${encodeURIComponent(id)}/touch`, fields);
    // Tokens carry the organization: none minted before the switch may be served after it.
    if (org !== undefined) this.#tokens.clear(id);
    const session = this.#client?.sessions.find((s) => s.id === id);
    if (!session) throw new AuthClientError("not_signed_in", "That session is not active on this client.");
    this.#session = session;
    await params.beforeEmit?.(session);
    this.#changed();
    this.#tabSync?.announce();
  }

  signOut(options?: SignOutOptions): Promise<void>;
  signOut(callback: () => void | Promise<unknown>, options?: SignOutOptions): Promise<void>;
  async signOut(a?: SignOutOptions | (() => void | Promise<unknown>), b?: SignOutOptions): Promise<void> {
    this.#assertAlive();
    const callback = typeof a === "function" ? a : undefined;
    const options = (typeof a === "function" ? b : a) ?? {};
    const current = this.#session?.id;
    if (options.sessionId && options.sessionId !== current) {
      await this.call("POST", `/v1/client/sessions/${encodeURIComponent(options.sessionId)}/remove`);
    } else {
      await this.call("DELETE", "/v1/client/sessions");
      this.#session = null;
      this.#tokens.clear();
    }
    this.#changed();
    this.#tabSync?.announce();
    await callback?.();
    if (options.redirectUrl) await this.#navigate(options.redirectUrl);
  }

  /** Sends the browser to `to` (the `navigate` option, else `location.assign`). */
  navigate(to: string): void | Promise<unknown> {
    return this.#navigate(to);
  }

  /** The instance's enabled sign-in factors (read once from `/v1/environment`). */
  environment(): Promise<InstanceFactors> {
    this.#environment ??= this.#transport.request<EnvironmentJSON>("GET", "/v1/environment").then(
      (env) => instanceFactors(env ?? {}),
      (e: unknown) => {
        this.#environment = null;
        throw e;
      },
    );
    return this.#environment;
  }

  /**
   * Finishes a social sign-in or sign-up on the page the provider came back to: activates the
   * session (after turning a `transferable` sign-up into a sign-in, as clerk-js does) and goes on
   * to `redirectUrlComplete`. Answers `needs_second_factor` when the account has one (the page
   * then shows that step); a failed trip throws the server's error code.
   */
  async handleRedirectCallback(
    options: { fallbackRedirectUrl?: string } = {},
  ): Promise<"complete" | "needs_second_factor"> {
    await this.load();
    await this.reload();
    if (
      this.signUp.externalAccount?.status === "transferable" &&
      this.signUp.externalAccount.errorCode === "external_account_exists"
    )
      await this.signIn.transfer();
    const sessionId = this.signIn.status === "complete" ? this.signIn.createdSessionId : this.signUp.createdSessionId;
    if (this.signIn.status === "needs_second_factor") return "needs_second_factor";
    if (!sessionId) {
      const failed = this.signUp.externalAccount?.errorCode ?? null;
      throw new AuthClientError(
        "redirect_callback_invalid",
        failed ? `Sign-in with the provider failed (${failed}).` : "There is no sign-in to finish on this page.",
      );
    }
    await this.setActive({ session: sessionId });
    await this.#navigate(completionTarget(options.fallbackRedirectUrl ?? "/"));
    return "complete";
  }

  /** Creates an organization with the signed-in user as its admin (it does not become active). */
  async createOrganization(params: { name: string; slug?: string }): Promise<OrganizationResource> {
    const json = await this.call<OrganizationJSON>("POST", "/v1/organizations", {
      name: params.name,
      ...(params.slug ? { slug: params.slug } : {}),
    });
    return organizationResource(json);
  }

  /** The active session's token (`null` when signed out). */
  async getToken(options: GetTokenOptions = {}): Promise<string | null> {
    return this.#session ? this.getSessionToken(this.#session.id, options) : null;
  }

  async getSessionToken(sessionId: string, options: GetTokenOptions): Promise<string | null> {
    if (!this.#client?.sessions.some((s) => s.id === sessionId)) return null;
    try {
      const jwt = await this.#tokens.get(sessionId, options);
      // Signed out while the mint was in flight: the token must not outlive the session here.
      return this.#client?.sessions.some((s) => s.id === sessionId) ? jwt : null;
    } catch (e) {
      if (e instanceof AuthApiError && (e.httpStatus === 401 || e.httpStatus === 404)) {
        await this.reload();
        return null;
      }
      throw e;
    }
  }

  /** Stops timers and tab sync; the object is unusable afterwards. */
  destroy(): void {
    this.#destroyed = true;
    this.#tokens.clear();
    this.#tabSync?.close();
    this.#tabSync = null;
    this.#listeners.clear();
    this.#changeListeners.clear();
  }

  async call<T>(
    method: HttpMethod,
    path: string,
    fields?: Record<string, FormValue>,
    query?: Record<string, string>,
  ): Promise<T> {
    this.#assertAlive();
    const body = await this.#transport.request<Envelope<T> | T>(method, path, fields, query);
    if (body !== null && typeof body === "object" && "response" in body) {
      const env = body as Envelope<T>;
      if (method !== "GET" && env.client !== undefined) this.#applyClient(env.client, false);
      return env.response;
    }
    return body as T;
  }

  async #mintToken(sessionId: string, template: string | undefined): Promise<string> {
    const path = `/v1/client/sessions/${encodeURIComponent(sessionId)}/tokens${template ? `/${encodeURIComponent(template)}` : ""}`;
    const body = await this.#transport.request<{ jwt?: unknown }>("POST", path, {});
    if (typeof body?.jwt !== "string")
      throw new AuthClientError("invalid_response", "The token endpoint answered without a jwt.");
    return body.jwt;
  }

  /**
   * Takes the server's view of the client. `adopt` (load, reload, another tab) follows the
   * server's last active session; otherwise (piggy-backed answers) the current session is only
   * dropped when it ended, and a new one waits for `setActive`, as in clerk-js.
   */
  #applyClient(json: ClientJSON | null, adopt: boolean): void {
    this.#batch++;
    try {
      const sessions = (json?.sessions ?? [])
        .filter((s) => s.status === "active" || s.status === "pending")
        .map((s) => new SessionResource(this, s));
      for (const s of sessions) {
        const jwt = s.lastActiveToken?.getRawString();
        if (jwt) this.#tokens.seed(s.id, undefined, jwt);
      }
      this.#client = {
        id: json?.id ?? null,
        sessions,
        activeSessions: sessions.filter((s) => s.status === "active"),
        lastActiveSessionId: json?.last_active_session_id ?? null,
        signIn: this.signIn,
        signUp: this.signUp,
        updatedAt: json ? new Date(json.updated_at) : null,
      };
      this.signIn._apply(json?.sign_in);
      this.signUp._apply(json?.sign_up);
      const wanted = adopt ? (json?.last_active_session_id ?? null) : (this.#session?.id ?? null);
      const next = sessions.find((s) => s.id === wanted) ?? (adopt ? (sessions[0] ?? null) : null);
      if (this.#session && this.#session.id !== next?.id) this.#tokens.clear(this.#session.id);
      this.#session = next;
    } finally {
      this.#batch--;
    }
    this.#changed();
  }

  #resources(): Resources {
    return { client: this.#client, session: this.#session, user: this.#session?.user ?? null };
  }

  #changed(): void {
    if (this.#batch > 0) return; // #applyClient reports once at its end
    this.#revision++;
    const session = this.#session;
    this.#authState.set(
      !this.#loaded
        ? { status: "loading" }
        : session
          ? { status: "signedIn", session, user: session.user }
          : { status: "signedOut" },
    );
    const resources = this.#resources();
    if (this.#loaded) for (const l of [...this.#listeners]) notify(l, resources);
    for (const l of [...this.#changeListeners]) notify(l, undefined);
  }

  #assertAlive(): void {
    if (this.#destroyed) throw new AuthClientError("destroyed", "This Tandem client was destroyed.");
  }
}

export function createTandem(options: TandemOptions): Tandem {
  return new Tandem(options);
}
