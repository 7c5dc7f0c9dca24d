/**
 * The page's only way out: same-origin calls that all carry the admin key. Functions run through
 * the official `ConvexHttpClient` (admin auth, `POST /api/function`), pointed at the dashboard's
 * forwarding route so the browser never talks to another origin; live views subscribe through
 * the official `ConvexClient` over the forwarded sync WebSocket (the key in its `Authenticate`).
 */
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { convexToJson, type Value } from "convex/values";

const KEY_STORAGE = "tandem.dashboard.adminKey";

/** `setAdminAuth` is marked internal in the official client's types, but it is how its own CLI and dashboard authenticate. */
const adminAuth = (c: ConvexHttpClient) =>
  c as unknown as { setAdminAuth(key: string, actingAs?: Record<string, unknown>): void };

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Convex JSON text of a value, for showing and editing (int64 as `{"$integer": …}` and the like). */
export function show(value: unknown, indent?: number): string {
  if (value === undefined) return "undefined";
  return JSON.stringify(convexToJson(value as Value), null, indent);
}

async function failure(res: Response): Promise<ApiError> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { message?: string; errors?: Array<{ long_message?: string; message?: string }> };
    const msg = body.message ?? body.errors?.map((e) => e.long_message ?? e.message).join("; ");
    if (msg) return new ApiError(msg, res.status);
  } catch {
    // not JSON: the text itself says it
  }
  return new ApiError(text || `HTTP ${res.status}`, res.status);
}

export class Api {
  readonly #client: ConvexHttpClient;
  #live: ConvexClient | null = null;

  constructor(readonly adminKey: string) {
    this.#client = new ConvexHttpClient(`${location.origin}/_api/backend`, {
      skipConvexDeploymentUrlCheck: true,
      logger: false,
    });
    adminAuth(this.#client).setAdminAuth(adminKey);
  }

  /** Any function by path (`tasks:list`, `_system/frontend/…`), as admin, or as a user when given. */
  run(path: string, args: Record<string, unknown>, actingAs?: Record<string, unknown>): Promise<unknown> {
    const client = actingAs ? this.#actingAs(actingAs) : this.#client;
    return (client as unknown as { function(p: string, c: undefined, a: unknown): Promise<unknown> }).function(
      path,
      undefined,
      args,
    );
  }

  /**
   * Subscribes to a query (`_system/frontend/…` or the app's) over the sync WebSocket: `onValue`
   * gets its result now and after every commit that changes what it read. Returns the unsubscribe.
   */
  subscribe(
    path: string,
    args: Record<string, unknown>,
    onValue: (v: unknown) => void,
    onError: (e: Error) => void,
  ): () => void {
    if (!this.#live) {
      this.#live = new ConvexClient(`${location.origin}/_api/backend`, {
        skipConvexDeploymentUrlCheck: true,
        logger: false,
      });
      adminAuth(this.#live as unknown as ConvexHttpClient).setAdminAuth(this.adminKey);
    }
    return this.#live.onUpdate(makeFunctionReference<"query">(path), args, onValue, onError);
  }

  /** Closes the live connection (logging out). */
  close(): void {
    void this.#live?.close();
    this.#live = null;
  }

  /**
   * A system mutation (`_system/frontend/addDocument`…) through `POST /api/mutation`: the backend's
   * `/api/function` runs every `_system/` path as a query.
   */
  mutate(path: string, args: Record<string, unknown>): Promise<unknown> {
    return this.#client.mutation(makeFunctionReference<"mutation">(path), args);
  }

  #actingAs(identity: Record<string, unknown>): ConvexHttpClient {
    const c = new ConvexHttpClient(`${location.origin}/_api/backend`, {
      skipConvexDeploymentUrlCheck: true,
      logger: false,
    });
    adminAuth(c).setAdminAuth(this.adminKey, identity);
    return c;
  }

  async fetch(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<unknown> {
    const res = await fetch(path, {
      method,
      headers: {
        Authorization: `Convex ${this.adminKey}`,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
    });
    if (!res.ok) throw await failure(res);
    const text = await res.text();
    return text ? (JSON.parse(text) as unknown) : null;
  }

  /** The identity service's Backend API, through the dashboard (which adds the secret key). */
  identity(method: string, path: string, body?: unknown): Promise<unknown> {
    return this.fetch(method, `/_api/identity/v1${path}`, body);
  }

  static saved(): string | null {
    return sessionStorage.getItem(KEY_STORAGE);
  }
  static forget(): void {
    sessionStorage.removeItem(KEY_STORAGE);
  }

  /** Checks a typed key; the page keeps it for this tab only. */
  static async login(adminKey: string): Promise<Api> {
    const res = await fetch("/_api/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ adminKey }),
    });
    if (!res.ok) throw await failure(res);
    sessionStorage.setItem(KEY_STORAGE, adminKey);
    return new Api(adminKey);
  }

  /** Trades a one-time login link's token for the key. */
  static async redeem(token: string): Promise<Api> {
    const res = await fetch("/_api/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token }),
    });
    if (!res.ok) throw await failure(res);
    const { adminKey } = (await res.json()) as { adminKey: string };
    sessionStorage.setItem(KEY_STORAGE, adminKey);
    return new Api(adminKey);
  }
}
