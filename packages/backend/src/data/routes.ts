/**
 * The HTTP side of `npx convex import` and `npx convex export` (npm:cli/lib/convexImport.ts,
 * convexExport.ts). All admin-only; errors are `{code, message}` (never 404 for a known route:
 * the CLI retries 404s as "deployment still starting").
 */
import { isTandemError } from "@tandem/shared";
import type { RequestAuthenticator } from "../http/identity.js";
import { parseJsonObject } from "../http/body.js";
import { jsonReply } from "../http/reply.js";
import type { HttpRequest, Route } from "../http/router.js";
import { adminGuard } from "../http/admin-guard.js";
import type { ExportService } from "./export-service.js";
import { tooLarge, type ImportService } from "./import-service.js";

export interface DataRouteDeps {
  readonly imports: ImportService;
  readonly exports: ExportService;
  readonly auth: RequestAuthenticator;
}

/** JSON bodies of these endpoints are small (ids, tokens, the part-token list). */
const JSON_LIMIT = 16 * 1024 * 1024;

export function dataRoutes(deps: DataRouteDeps): Route[] {
  const { imports, exports } = deps;
  const requireAdmin = adminGuard(deps.auth);
  const jsonBody = async (req: HttpRequest) => {
    const raw = await req.body(JSON_LIMIT);
    return raw.length === 0 ? {} : parseJsonObject(raw);
  };
  const post = (
    path: string,
    handle: (body: Record<string, unknown>, req: HttpRequest) => Promise<unknown>,
  ): Route => ({
    method: "POST",
    path,
    handler: async (req) => {
      await requireAdmin(req);
      return jsonReply(await handle(await jsonBody(req), req));
    },
  });

  return [
    post("/api/import/start_upload", async () => imports.startUpload()),
    {
      method: "POST",
      path: "/api/import/upload_part",
      handler: async (req) => {
        // The admin key comes in the header here: check it before reading up to 256 MiB.
        await requireAdmin(req);
        const uploadToken = req.url.searchParams.get("uploadToken") ?? "";
        const partNumber = Number(req.url.searchParams.get("partNumber"));
        let bytes: Buffer;
        try {
          bytes = await req.body(Math.max(0, imports.remaining(uploadToken)));
        } catch (e) {
          throw isTandemError(e) && e.code === "PayloadTooLarge" ? tooLarge() : e;
        }
        return jsonReply(imports.uploadPart(uploadToken, partNumber, bytes));
      },
    },
    post("/api/import/finish_upload", (body) => imports.finishUpload(body)),
    post("/api/perform_import", async (body) => {
      await imports.performImport(body.importId);
      return {};
    }),
    post("/api/export/request/zip", async (_body, req) => {
      await exports.request(req.url.searchParams.get("includeStorage") === "true");
      return {};
    }),
    {
      method: "GET",
      path: "/api/export/zip/*",
      handler: async (req) => {
        await requireAdmin(req);
        const ts = decodeURIComponent(req.url.pathname.slice("/api/export/zip/".length));
        const { fileName, bytes } = exports.zip(ts);
        return {
          status: 200,
          headers: { "Content-Type": "application/zip", "Content-Disposition": `attachment; filename=${fileName}` },
          body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        };
      },
    },
  ];
}
