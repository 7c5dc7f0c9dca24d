/** What resources need from the client that owns them (implemented by `Tandem`). */
import type { FormValue, HttpMethod } from "../transport.js";
import type { GetTokenOptions } from "../tokens.js";

export interface ResourceCore {
  /** A Frontend API call whose piggy-backed client is applied before it returns `response`. */
  call<T>(
    method: HttpMethod,
    path: string,
    fields?: Record<string, FormValue>,
    query?: Record<string, string>,
  ): Promise<T>;
  getSessionToken(sessionId: string, options: GetTokenOptions): Promise<string | null>;
  /** Re-reads `/v1/client` (a session may have ended elsewhere). */
  reload(): Promise<void>;
  /** A session resource (anything with its `id`), a session id, or null to sign out locally. */
  setActive(params: { session: { readonly id: string } | string | null }): Promise<void>;
  /** Sends the browser elsewhere (a provider's sign-in page). */
  navigate(to: string): void | Promise<unknown>;
}
