/**
 * The last rejected user tokens' reasons (never the tokens): a small ring the admin-only
 * `_system/tandem/authRejections` query reads for `tandem doctor auth`. `recordRejections` wraps
 * the token authenticator, so every transport (HTTP, WebSocket) is covered by one hook.
 */
import type { AuthProvider } from "./config.js";
import { diagnoseRejection, type RejectionReason } from "./rejection-reason.js";

export interface Rejection {
  /** Milliseconds since the epoch. */
  readonly at: number;
  readonly reason: RejectionReason;
  /** The token's `sub`, to tell users apart (not a secret). */
  readonly subject: string | null;
  /** What the client was told. */
  readonly message: string;
}

export class RejectionLog {
  readonly #items: Rejection[] = [];
  constructor(readonly capacity = 50) {}

  add(r: Rejection): void {
    this.#items.push(r);
    if (this.#items.length > this.capacity) this.#items.shift();
  }

  /** Newest first. */
  list(): readonly Rejection[] {
    return [...this.#items].reverse();
  }
}

export interface RecordRejectionsDeps {
  readonly log: RejectionLog;
  readonly providers: () => readonly AuthProvider[];
  readonly env: () => Readonly<Record<string, string>>;
  readonly now?: () => number;
}

function subjectOf(token: string): string | null {
  try {
    const sub = (JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as { sub?: unknown })
      .sub;
    return typeof sub === "string" ? sub.slice(0, 200) : null;
  } catch {
    return null;
  }
}

export function recordRejections<T>(
  authenticate: (token: string) => Promise<T>,
  deps: RecordRejectionsDeps,
): (token: string) => Promise<T> {
  const now = deps.now ?? Date.now;
  return async (token) => {
    try {
      return await authenticate(token);
    } catch (e) {
      let providers: readonly AuthProvider[] = [];
      try {
        providers = deps.providers();
      } catch {
        // An unparsable auth config: diagnosed as "no providers".
      }
      const at = now();
      deps.log.add({
        at,
        reason: diagnoseRejection(token, e, { providers, env: deps.env(), nowSeconds: at / 1000 }),
        subject: subjectOf(token),
        message: e instanceof Error ? e.message : String(e),
      });
      throw e;
    }
  };
}
