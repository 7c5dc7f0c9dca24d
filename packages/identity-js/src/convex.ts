/**
 * `connectConvex(tandem, convexClient)`: keeps the official Convex client authenticated as the
 * signed-in user — the TypeScript counterpart of the Android guide's `ClerkConvexClient`.
 *
 * On sign-in (and on a switch of session) it calls `setAuth(fetchToken, onChange)`, where
 * `fetchToken({ forceRefreshToken })` is `getToken({ template: "convex", skipCache:
 * forceRefreshToken })`; on sign-out it clears the auth. Its own `authState` follows what the
 * Convex server confirmed (`loading → authenticated | unauthenticated`), like `clerk.convex.authState`.
 */
import { ObservableValue, type Observable } from "./observable.js";
import type { SessionResource } from "./resources/session.js";
import type { UserResource } from "./resources/user.js";
import type { Tandem } from "./tandem.js";

/** What Convex's clients pass to the token fetcher (`AuthTokenFetcher` in `convex/browser`). */
export type AuthTokenFetcher = (args: { forceRefreshToken: boolean }) => Promise<string | null | undefined>;

/**
 * The part of `ConvexClient` (convex/browser) or `ConvexReactClient` (convex/react) used here.
 * `ConvexClient` has no `clearAuth` of its own: its underlying `client` (a `BaseConvexClient`) does.
 */
export interface ConvexAuthTarget {
  setAuth(fetchToken: AuthTokenFetcher, onChange?: (isAuthenticated: boolean) => void): void;
  clearAuth?: () => void;
  readonly client?: { clearAuth(): void };
}

export type ConvexAuthState =
  | { status: "loading" }
  | { status: "unauthenticated" }
  | { status: "authenticated"; session: SessionResource; user: UserResource };

export interface ConnectConvexOptions {
  /** JWT template to ask for (default `"convex"`); `null` uses the session token (aud "convex"). */
  template?: string | null;
}

export interface ConvexConnection {
  readonly authState: Observable<ConvexAuthState>;
  disconnect(): void;
}

function clearAuth(convex: ConvexAuthTarget): void {
  if (typeof convex.clearAuth === "function") convex.clearAuth();
  else convex.client?.clearAuth();
}

export function connectConvex(
  tandem: Tandem,
  convex: ConvexAuthTarget,
  options: ConnectConvexOptions = {},
): ConvexConnection {
  const template = options.template === undefined ? "convex" : (options.template ?? undefined);
  const state = new ObservableValue<ConvexAuthState>(
    { status: "loading" },
    (a, b) =>
      a.status === b.status &&
      (a.status !== "authenticated" || (b.status === "authenticated" && a.session === b.session && a.user === b.user)),
  );
  /** The session the Convex client is authenticated for; `undefined` before the first decision. */
  let current: string | null | undefined = undefined;
  /** Bumped on every switch so answers from an older `setAuth` are ignored. */
  let generation = 0;

  const unsubscribe = tandem.authState.subscribe((auth) => {
    switch (auth.status) {
      case "loading":
        return;
      case "signedOut": {
        if (current === null) return;
        current = null;
        generation++;
        clearAuth(convex);
        state.set({ status: "unauthenticated" });
        return;
      }
      case "signedIn": {
        if (current === auth.session.id) {
          // Same session, newer user data: keep the confirmed state, refresh what it carries.
          const s = state.value;
          if (s.status === "authenticated")
            state.set({ status: "authenticated", session: auth.session, user: auth.user });
          return;
        }
        const sessionId = auth.session.id;
        const mine = ++generation;
        current = sessionId;
        state.set({ status: "loading" });
        // A fetch for a session we have moved away from must not authenticate anyone — checked
        // again after the mint, because Convex's clearAuth() does not cancel a refetch in flight:
        // a token arriving after sign-out would otherwise re-authenticate the socket.
        const stillCurrent = () => mine === generation && tandem.session?.id === sessionId;
        const fetchToken: AuthTokenFetcher = async ({ forceRefreshToken }) => {
          if (!stillCurrent()) return null;
          try {
            const token = await tandem.getSessionToken(sessionId, {
              ...(template ? { template } : {}),
              skipCache: forceRefreshToken,
            });
            return stillCurrent() ? token : null;
          } catch {
            return null;
          }
        };
        convex.setAuth(fetchToken, (isAuthenticated) => {
          if (mine !== generation) return;
          const a = tandem.authState.value;
          state.set(
            isAuthenticated && a.status === "signedIn"
              ? { status: "authenticated", session: a.session, user: a.user }
              : { status: "unauthenticated" },
          );
        });
        return;
      }
      default:
        return auth satisfies never;
    }
  });

  return {
    authState: state,
    disconnect() {
      unsubscribe();
      generation++;
    },
  };
}
