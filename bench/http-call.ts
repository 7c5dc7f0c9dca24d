/**
 * A light HTTP load generator: one POST over a keep-alive `node:http` agent with the body and
 * headers the official `ConvexHttpClient` sends (`/api/mutation`, `/api/query`), so the figures
 * measure the server rather than the client's `fetch` (which costs several times a raw driver's
 * whole round trip on a 2-core machine shared with the server).
 */
import { request, type Agent, type IncomingMessage } from "node:http";

const CLIENT_HEADERS = { "Content-Type": "application/json", "Convex-Client": "npm-1.48.0" };

/** The official client's body for a call of `path` (`module:function`) with `args`. */
export function functionBody(path: string, args: Record<string, unknown>): string {
  return JSON.stringify({ path, format: "convex_encoded_json", args: [args] });
}

/** POSTs `body` to `url`; resolves with the answer's text when the function succeeded. */
export function callFunction(agent: Agent, url: URL, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: "POST",
      agent,
      headers: { ...CLIENT_HEADERS, "Content-Length": Buffer.byteLength(body) },
    });
    req.on("response", (res: IncomingMessage) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () =>
        res.statusCode === 200 && text.startsWith('{"status":"success"')
          ? resolve(text)
          : reject(new Error(`${res.statusCode} ${text.slice(0, 300)}`)),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** `callFunction` to the route `path` (`/api/mutation`, `/api/query`) of the server at `base`. */
export function postFunction(agent: Agent, base: string, path: string, body: string): Promise<string> {
  return callFunction(agent, new URL(path, base), body);
}
