/** A route table: `METHOD /path/:param` patterns compiled to regexes, matched in order. */
export type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

export interface Route<H> {
  method: Method;
  pattern: string;
  handler: H;
}

interface Compiled<H> extends Route<H> {
  re: RegExp;
  names: string[];
}

export class Router<H> {
  #routes: Compiled<H>[] = [];

  add(method: Method, pattern: string, handler: H): this {
    const names: string[] = [];
    const re = new RegExp(
      "^" + pattern.replace(/[.]/g, "\\.").replace(/:([a-z_]+)/g, (_, n: string) => (names.push(n), "([^/]+)")) + "/?$",
    );
    this.#routes.push({ method, pattern, handler, re, names });
    return this;
  }

  /** The handler and params for a request; `null` for no such path, `"method"` for a wrong method. */
  match(method: string, path: string): { handler: H; params: Record<string, string> } | "method" | null {
    let pathMatched = false;
    for (const r of this.#routes) {
      const m = r.re.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method) continue;
      const params: Record<string, string> = {};
      try {
        r.names.forEach((n, i) => {
          params[n] = decodeURIComponent(m[i + 1]!);
        });
      } catch {
        return null; // malformed %-escape: no such resource
      }
      return { handler: r.handler, params };
    }
    return pathMatched ? "method" : null;
  }
}
