/**
 * The site origin (default :3211), where `convex/http.ts` routes are served (docs/http-api.md#http-actions).
 *
 * TODO(http actions): when the engine gains `runHttpAction`, route every request here (and
 * `/http/*` on the main origin, prefix stripped) through `router.lookup` + `runRequest`.
 * Until then a request gets the answer Convex gives for an unrouted path.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export type SiteHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function createSiteHandler(): SiteHandler {
  return (req, res) => {
    req.resume();
    res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
    res.end("No matching routes found");
  };
}
