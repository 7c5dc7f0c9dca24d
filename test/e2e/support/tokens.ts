/**
 * The tokens a page mints from the Frontend API. The official ConvexProviderWithClerk asks for the session token, not the `convex`
 * template, when the session token's `aud` is "convex" (Clerk's Convex integration), and Tandem's
 * session tokens carry `aud: "convex"`, so the template's lifetime does not govern the page.
 */
import type { Page } from "playwright-core";

export interface Mint {
  /** Seconds since the epoch, from the token. */
  iat: number;
  exp: number;
}

/**
 * Records every token the page receives from the Frontend API (through the page's identity proxy)
 * — the session token, or the JWT template `template` — as its claims say: only `iat`/`exp` are
 * kept, never the token.
 */
export function recordMints(page: Page, template?: string): Mint[] {
  const mints: Mint[] = [];
  const path = new RegExp(`/v1/client/sessions/[^/]+/tokens${template === undefined ? "" : `/${template}`}\\?`);
  page.on("response", (response) => {
    if (!path.test(new URL(response.url()).pathname + "?") || response.status() !== 200) return;
    void response.json().then(
      (body: { jwt?: string }) => {
        const payload = body.jwt?.split(".")[1];
        if (payload === undefined) return;
        const { iat, exp } = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Mint;
        mints.push({ iat, exp });
      },
      () => undefined, // the page navigated away before the body was read
    );
  });
  return mints;
}
