/**
 * The redirect side of social sign-in shared by `SignIn` and `SignUp`: absolute URLs for the
 * server, and where to go once the callback page has finished (carried in the callback URL's own
 * query, so it survives the trip to the provider; only same-origin targets are followed).
 */
export type OAuthStrategy = `oauth_${string}`;

export interface AuthenticateWithRedirectParams {
  strategy: OAuthStrategy;
  /** The page that calls `tandem.handleRedirectCallback()` (e.g. `/sso-callback`). */
  redirectUrl: string;
  /** Where that page goes once signed in. */
  redirectUrlComplete: string;
  /** Sign-ups: kept on the user it creates. */
  unsafeMetadata?: Record<string, unknown>;
}

const here = () => (globalThis as { location?: { href: string } }).location?.href ?? "http://localhost/";

export function absolute(url: string): string {
  return new URL(url, here()).href;
}

export const COMPLETE_PARAM = "redirect_url_complete";

/** `redirectUrl` carrying `redirectUrlComplete`, both absolute. */
export function callbackUrl(p: AuthenticateWithRedirectParams): string {
  const u = new URL(absolute(p.redirectUrl));
  u.searchParams.set(COMPLETE_PARAM, absolute(p.redirectUrlComplete));
  return u.href;
}

/** The completion URL the current page's query carries, when it is on this page's origin. */
export function completionTarget(fallback: string): string {
  const page = new URL(here());
  const asked = page.searchParams.get(COMPLETE_PARAM);
  if (asked) {
    const u = new URL(asked, page);
    if (u.origin === page.origin) return u.href;
  }
  return absolute(fallback);
}
