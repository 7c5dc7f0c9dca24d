/**
 * One Tandem node on a shared Postgres in its own process, so a test can `kill -9` it:
 * `node pg-node-child.mjs '<json options>'` with `{ url, schema, adminKey, dataDir, nodeLeaseMs?,
 * followPollMs? }`. Plain JS over the built packages (`npm run build`): a start costs no
 * TypeScript compile. Sends `{ url, adminKey, nodeId }` once serving.
 */
import { startBackend } from "@tandem/backend";
import { silentLogger } from "@tandem/shared";

const o = JSON.parse(process.argv[2] ?? "null");
if (!o) throw new Error("usage: pg-node-child.mjs '<json options>'");
const backend = await startBackend({
  dataDir: o.dataDir,
  port: 0,
  sitePort: 0,
  logger: silentLogger,
  adminKey: o.adminKey,
  database: { kind: "postgres", url: o.url, schema: o.schema },
  ...(o.nodeLeaseMs !== undefined ? { nodeLeaseMs: o.nodeLeaseMs } : {}),
  ...(o.followPollMs !== undefined ? { followPollMs: o.followPollMs } : {}),
});
process.send({ url: backend.url, adminKey: backend.adminKey, nodeId: backend.scheduler.node.id });
