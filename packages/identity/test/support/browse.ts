/** A scripted browser for provider redirects (OAuth tests). */
import { parseSetCookie } from "cookie";
import { PAGE_ORIGIN, type Jar } from "./clerk-js.js";

/**
 * A scripted browser: follows redirects from `url` with one cookie jar per origin (the identity
 * origin's is clerk-js's own) until it is sent back to the app's page. Returns every URL visited.
 */
export async function browse(url: string, identityOrigin: string, jar: Jar): Promise<string[]> {
  const realFetch = ((globalThis as any).__realFetch ?? fetch) as typeof fetch;
  const jars = new Map<string, Map<string, string>>([[identityOrigin, jar.cookies]]);
  const visited: string[] = [];
  let next = new URL(url);
  for (let hop = 0; hop < 20 && next.origin !== PAGE_ORIGIN; hop++) {
    visited.push(next.href);
    const cookies = jars.get(next.origin) ?? new Map<string, string>();
    jars.set(next.origin, cookies);
    const res = await realFetch(next, {
      redirect: "manual",
      headers: cookies.size ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; ") } : {},
    });
    for (const sc of res.headers.getSetCookie()) {
      const c = parseSetCookie(sc);
      if (c.value) cookies.set(c.name, c.value);
      else cookies.delete(c.name);
    }
    const location = res.headers.get("location");
    if (!location) throw new Error(`stopped at ${next.href}: ${res.status} ${await res.text()}`);
    next = new URL(location, next);
  }
  visited.push(next.href);
  return visited;
}
