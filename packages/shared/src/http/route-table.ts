/**
 * The route table of both servers: exact paths, prefixes (`/api/run/*`) and `:param` patterns
 * (`/v1/client/sign_ins/:id`). Exact paths are one `Map` lookup — the hot function endpoints
 * never touch a regex — and win over prefixes, which win over patterns; patterns match in the
 * order they were added.
 */
export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RouteMatch<H> {
  readonly handler: H;
  readonly params: Readonly<Record<string, string>>;
}

/** A path that matched, but not with this method (the caller answers 404 or 405 as it likes). */
export const WRONG_METHOD = "method";

interface Entry<H> extends RouteMatch<H> {
  readonly method: Method;
}

interface Pattern<H> {
  readonly method: Method;
  readonly handler: H;
  readonly re: RegExp;
  readonly names: readonly string[];
}

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

export interface RouteTableOptions {
  /** `/v1/client/` finds `/v1/client` (Clerk's clients send both). Default false. */
  readonly trailingSlash?: boolean;
}

export class RouteTable<H> {
  readonly #exact = new Map<string, Entry<H>[]>();
  readonly #prefixes: Array<{ readonly prefix: string; readonly entries: Entry<H>[] }> = [];
  readonly #patterns: Pattern<H>[] = [];
  readonly #trailingSlash: boolean;

  constructor(options: RouteTableOptions = {}) {
    this.#trailingSlash = options.trailingSlash ?? false;
  }

  add(method: Method, path: string, handler: H): this {
    const entry: Entry<H> = { method, handler, params: NO_PARAMS };
    if (path.endsWith("/*")) {
      const prefix = path.slice(0, -1);
      let group = this.#prefixes.find((p) => p.prefix === prefix);
      if (!group) {
        group = { prefix, entries: [] };
        this.#prefixes.push(group);
        this.#prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
      }
      group.entries.push(entry);
    } else if (path.includes("/:")) {
      const names: string[] = [];
      const source = path.replace(/[.]/g, "\\.").replace(/:([a-z_]+)/g, (_, n: string) => (names.push(n), "([^/]+)"));
      this.#patterns.push({ method, handler, re: new RegExp(`^${source}${this.#trailingSlash ? "/?" : ""}$`), names });
    } else {
      const list = this.#exact.get(path);
      if (list) list.push(entry);
      else this.#exact.set(path, [entry]);
    }
    return this;
  }

  /** The handler and params for a request; `null` for no such path, `WRONG_METHOD` for a wrong method. */
  match(method: string, path: string): RouteMatch<H> | typeof WRONG_METHOD | null {
    let pathMatched = false;
    let exact = this.#exact.get(path);
    if (!exact && this.#trailingSlash && path.length > 1 && path.endsWith("/"))
      exact = this.#exact.get(path.slice(0, -1));
    if (exact) {
      for (const e of exact) if (e.method === method) return e;
      pathMatched = true;
    }
    const group = this.#prefixes.find((p) => path.startsWith(p.prefix));
    if (group) {
      for (const e of group.entries) if (e.method === method) return e;
      pathMatched = true;
    }
    for (const p of this.#patterns) {
      const m = p.re.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (p.method !== method) continue;
      const params: Record<string, string> = {};
      try {
        p.names.forEach((n, i) => {
          params[n] = decodeURIComponent(m[i + 1]!);
        });
      } catch {
        return null; // a malformed %-escape names no resource
      }
      return { handler: p.handler, params };
    }
    return pathMatched ? WRONG_METHOD : null;
  }
}
