/** A backend in its own process, so a test can `kill -9` it: `node --import tsx backend-child.ts DATA_DIR`. */
import { silentLogger } from "@tandem/shared";
import { startBackend } from "../../src/server/index.js";

const dataDir = process.argv[2];
if (!dataDir) throw new Error("usage: backend-child.ts DATA_DIR");
const backend = await startBackend({
  dataDir,
  port: 0,
  sitePort: 0,
  logger: silentLogger,
  adminKey: "scheduler-test|admin-key",
});
process.send!({ url: backend.url, adminKey: backend.adminKey });
