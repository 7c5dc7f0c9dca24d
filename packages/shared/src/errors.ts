/**
 * Errors with closed codes. A `TandemError` is a runtime failure that a caller can act on
 * (bad input from a client, a conflict, a missing thing); it carries an HTTP-ish status and a
 * message that is safe to show. Misuse of our own APIs throws `TypeError` or `InvariantError`.
 */
export const errorStatus = {
  BadRequest: 400,
  Unauthenticated: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  PayloadTooLarge: 413,
  Unprocessable: 422,
  RateLimited: 429,
  Internal: 500,
  Unavailable: 503,
} as const;

export type ErrorKind = keyof typeof errorStatus;

/**
 * `C` is the package's closed set of codes (`StorageErrorCode`, `BackendErrorCode`, ...); a bare
 * `TandemError` is one of any package, as a catch site sees it.
 */
export class TandemError<C extends string = string> extends Error {
  override name = "TandemError";
  readonly kind: ErrorKind;
  /** Short machine-readable code shown to clients, e.g. `BadAdminKey`, `InvalidCursor`. */
  readonly code: C;
  constructor(kind: ErrorKind, code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.code = code;
  }
  get status(): number {
    return errorStatus[this.kind];
  }
}

export function isTandemError(e: unknown): e is TandemError {
  return e instanceof TandemError;
}

export const badRequest = <C extends string>(code: C, message: string) =>
  new TandemError<C>("BadRequest", code, message);
export const notFound = <C extends string>(code: C, message: string) => new TandemError<C>("NotFound", code, message);
export const unauthenticated = <C extends string>(code: C, message: string) =>
  new TandemError<C>("Unauthenticated", code, message);
