/**
 * Boots the unmodified npm build of @clerk/clerk-js inside jsdom, pointed at our Frontend API by
 * `proxyUrl` (docs/identity-api.md#transport). Browser cookies are simulated by a one-origin cookie
 * jar around fetch (Node's fetch ignores `credentials: "include"`), so clerk-js runs in cookie mode.
 */
import { createRequire } from "node:module";
import { JSDOM } from "jsdom";
import { parseSetCookie } from "cookie";

export const PAGE_ORIGIN = "http://127.0.0.1:3000";

export interface Jar {
  cookies: Map<string, string>;
  calls: string[];
}

export function bootClerk(
  pkg: "clerk-js-5" | "clerk-js-6",
  publishableKey: string,
  proxyUrl: string,
): { clerk: any; jar: Jar } {
  const dom = new JSDOM('<!doctype html><html><body><div id="app"></div></body></html>', {
    url: PAGE_ORIGIN + "/",
    pretendToBeVisual: true,
  });
  const w = dom.window as any;
  const g = globalThis as any;
  for (const k of [
    "window",
    "document",
    "navigator",
    "localStorage",
    "sessionStorage",
    "location",
    "history",
    "HTMLElement",
    "Element",
    "Node",
    "MutationObserver",
    "CustomEvent",
    "Event",
    "EventTarget",
    "DOMParser",
    "getComputedStyle",
  ]) {
    // Node 21+ has its own `navigator` (a getter, with `locks` from 24 on, which sends clerk-js
    // down its Web Locks path): define the page's over it rather than assign.
    Object.defineProperty(g, k, { value: w[k], configurable: true, writable: true });
  }
  const jar: Jar = { cookies: new Map(), calls: [] };
  const target = new URL(proxyUrl).origin;
  const realFetch = (g.__realFetch ??= globalThis.fetch) as typeof fetch;
  // clerk-js calls the free identifier `fetch`, i.e. Node's global: wrap both.
  const wrapped = async (input: any, init: any = {}) => {
    const url = new URL(typeof input === "string" ? input : (input.href ?? input.url));
    const headers = new Headers(init.headers);
    if (url.origin === target) {
      headers.set("origin", PAGE_ORIGIN);
      if (jar.cookies.size) headers.set("cookie", [...jar.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
      jar.calls.push(`${url.searchParams.get("_method") ?? init.method ?? "GET"} ${url.pathname}`);
    }
    const res = await realFetch(url, { ...init, headers });
    if (url.origin === target)
      for (const sc of res.headers.getSetCookie()) {
        const c = parseSetCookie(sc);
        if (c.value) jar.cookies.set(c.name, c.value);
      }
    return res;
  };
  g.fetch = wrapped;
  w.fetch = wrapped;
  const put = (k: string, v: unknown) => Object.defineProperty(w, k, { value: v, configurable: true, writable: true });
  put("Headers", Headers);
  put("Request", Request);
  put("Response", Response);
  put("crypto", globalThis.crypto);
  put("TextEncoder", TextEncoder);
  put("TextDecoder", TextDecoder);
  // Node's BroadcastChannel keeps the process alive until closed; clerk-js never closes its own.
  const RealBC = (g.__realBC ??= globalThis.BroadcastChannel) as typeof BroadcastChannel;
  class UnrefBroadcastChannel extends RealBC {
    constructor(name: string) {
      super(name);
      (this as unknown as { unref?: () => void }).unref?.();
    }
  }
  g.BroadcastChannel = UnrefBroadcastChannel;
  put("BroadcastChannel", UnrefBroadcastChannel);
  if (!w.matchMedia)
    put("matchMedia", () => ({
      matches: false,
      addListener() {},
      removeListener() {},
      addEventListener() {},
      removeEventListener() {},
    }));
  g.self = w;
  // clerk-js keeps pollers and refresh timers running; unref them so the test process can exit.
  for (const name of ["setInterval", "setTimeout"] as const) {
    const orig = g[`__real_${name}`] ?? (g[`__real_${name}`] = g[name]);
    g[name] = (...args: unknown[]) => {
      const h = orig(...args);
      h?.unref?.();
      return h;
    };
  }
  const require = createRequire(import.meta.url);
  const mod = require(pkg);
  const Clerk = mod.Clerk ?? mod.default;
  return { clerk: new Clerk(publishableKey, { proxyUrl }), jar };
}

/** The loaded environment resource (clerk-js 6 names it `__internal_environment`, 5 `__unstable__environment`). */
export const environmentOf = (clerk: any) => clerk.__internal_environment ?? clerk.__unstable__environment;
