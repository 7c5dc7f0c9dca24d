/**
 * How the public-app tests act as the app's users: the identity service's Backend API (as the
 * app's server would call Clerk's), a password sign-in the way clerk-js does it in native mode (a
 * fresh session token per call), and waiting on a live query as a React page's `useQuery` would.
 */
import assert from "node:assert/strict";
import type { ConvexClient } from "convex/browser";
import type { TestIdentity } from "./identity.js";

/** A Backend API call with the instance's secret key; fails the test on a non-2xx answer. */
export async function backendApi(identity: TestIdentity, method: string, path: string, body?: unknown): Promise<any> {
  const r = await fetch(`${identity.url}/backend/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${identity.secretKey}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  assert.ok(r.ok, `${method} ${path}: ${r.status} ${await r.clone().text()}`);
  return r.json();
}

/** Signs in with a password over the Frontend API; returns what `ConvexClient.setAuth` takes. */
export async function passwordSignIn(
  identity: TestIdentity,
  email: string,
  password: string,
): Promise<() => Promise<string>> {
  const fapi = async (path: string, body: Record<string, string>, token?: string) => {
    const res = await fetch(`${identity.url}${path}?_is_native=1`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...(token ? { authorization: token } : {}) },
      body: new URLSearchParams(body).toString(),
    });
    assert.equal(res.status, 200, path);
    return { token: res.headers.get("authorization") ?? token, body: (await res.json()) as any };
  };
  const r = await fapi("/v1/client/sign_ins", { identifier: email, password, strategy: "password" });
  const sid = r.body.response.created_session_id as string;
  return async () => (await fapi(`/v1/client/sessions/${sid}/tokens`, {}, r.token!)).body.jwt as string;
}

/**
 * Resolves with the first value of the live query that satisfies `pred`. Errors keep it waiting
 * (an app's `getMe` throws until a webhook has written the user row, as on Convex); on timeout the
 * last value or error seen is in the message.
 */
export function until<T>(c: ConvexClient, fn: any, args: object, pred: (v: T) => boolean, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    let last: unknown;
    const timer = setTimeout(
      () => (stop(), reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`))),
      20_000,
    );
    const stop = c.onUpdate(
      fn,
      args,
      (v: T) => {
        last = v;
        if (!pred(v)) return;
        clearTimeout(timer);
        stop();
        resolve(v);
      },
      (e) => (last = String(e)),
    );
  });
}
