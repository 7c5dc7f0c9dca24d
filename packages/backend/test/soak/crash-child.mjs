/**
 * A backend in its own process so the crash loop can `kill -9` it:
 * `node crash-child.mjs DATA_DIR PORT`. Plain JS over the built packages (`npm run build`), so a
 * restart costs no TypeScript compile. Restarts reuse the first run's port, so the official
 * ConvexClient reconnects to the same URL as it would to a restarted server.
 */
import { startBackend } from "@tandem/backend";
import { silentLogger } from "@tandem/shared";

const [dataDir, port] = process.argv.slice(2);
if (!dataDir || port === undefined) throw new Error("usage: crash-child.mjs DATA_DIR PORT");
const backend = await startBackend({
  dataDir,
  port: Number(port),
  sitePort: 0,
  logger: silentLogger,
  adminKey: "soak|admin-key",
});
process.send({ url: backend.url, adminKey: backend.adminKey });
