/**
 * Fetching the small JSON documents auth needs (OIDC discovery, JWKS): a timeout, a size cap,
 * status and content-type checks, and inline `data:` URLs for custom JWT providers.
 */
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

const MAX_DOCUMENT_BYTES = 1 << 20;

/** The text of a `data:[<mediatype>][;base64],<data>` URL. */
export function readDataUrl(url: string): string {
  const comma = url.indexOf(",");
  if (!url.startsWith("data:") || comma < 0) throw new Error("malformed data: URL");
  const meta = url.slice(5, comma);
  const data = url.slice(comma + 1);
  return meta.endsWith(";base64") ? Buffer.from(data, "base64").toString("utf8") : decodeURIComponent(data);
}

export interface FetchJsonOptions {
  readonly fetch: FetchLike;
  readonly timeoutMs: number;
  /** When set, the response's media type must be one of these. */
  readonly contentTypes?: readonly string[];
}

/** GETs `url` (or reads a `data:` URL) and parses it as JSON; throws an `Error` saying why not. */
export async function fetchJson(url: string, options: FetchJsonOptions): Promise<unknown> {
  if (url.startsWith("data:")) return JSON.parse(readDataUrl(url));
  const res = await options.fetch(url, {
    headers: { accept: "application/json" },
    signal: AbortSignal.timeout(options.timeoutMs),
    redirect: "follow",
  });
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new Error(`GET ${url} answered ${res.status}`);
  }
  const type = (res.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (options.contentTypes && !options.contentTypes.includes(type)) {
    await res.body?.cancel();
    throw new Error(`GET ${url} answered with content type "${type}"`);
  }
  const text = await res.text();
  if (text.length > MAX_DOCUMENT_BYTES) throw new Error(`GET ${url} answered more than ${MAX_DOCUMENT_BYTES} bytes`);
  return JSON.parse(text);
}
