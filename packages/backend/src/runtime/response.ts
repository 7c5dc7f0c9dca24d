/**
 * The `Response` functions see. It is the host's (one set of web constructors on both sides, see
 * realm.ts), except that Convex's runtime lets a body go with the statuses the Fetch standard
 * gives none (204, 205, 304): `new Response("", { status: 205 })` works in Convex and throws in
 * Node, and apps rely on it (`@convex-dev/persistent-text-streaming` answers an already started
 * stream that way). Such a response is built as a 200 and reports the status it was given.
 */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);
/** The status of responses built around the host's check. */
const held = new WeakMap<object, number>();
const HostResponse = globalThis.Response;
const hostStatus = Object.getOwnPropertyDescriptor(HostResponse.prototype, "status")!.get!;
const hostClone = HostResponse.prototype.clone;
type Body = ConstructorParameters<typeof HostResponse>[0];

export const ConvexResponse = class Response extends HostResponse {
  constructor(body?: Body, init?: ResponseInit) {
    const status = init?.status === undefined ? 200 : Number(init.status);
    const hold = body !== null && body !== undefined && NULL_BODY_STATUSES.has(status);
    super(body, hold ? { statusText: init?.statusText, headers: init?.headers, status: 200 } : init);
    if (hold) held.set(this, status);
  }
};

// Accessors over the host's (TypeScript types them as plain properties, so not in the class body).
Object.defineProperties(ConvexResponse.prototype, {
  status: {
    configurable: true,
    get(this: Response): number {
      return held.get(this) ?? (hostStatus.call(this) as number);
    },
  },
  ok: {
    configurable: true,
    get(this: Response): boolean {
      return this.status >= 200 && this.status <= 299;
    },
  },
  clone: {
    configurable: true,
    writable: true,
    value(this: Response): Response {
      const copy = hostClone.call(this);
      const status = held.get(this);
      if (status === undefined) return copy;
      held.set(copy, status);
      return Object.setPrototypeOf(copy, ConvexResponse.prototype) as Response;
    },
  },
});
