/**
 * An identity server in its own process (for `kill -9` tests): `node --import tsx identity-child.ts
 * DATA_DIR SHIFT_MS RETRY_MS` prints `{"url","secretKey"}` once listening. Its clock runs SHIFT_MS
 * behind, so retries it schedules are due when a server with the real clock opens the same data.
 */
import { startIdentityServer } from "../../src/index.js";

const [dataDir, shift, retry] = process.argv.slice(2);
const server = await startIdentityServer({
  dataDir: dataDir!,
  port: 0,
  host: "127.0.0.1",
  clock: () => Date.now() - Number(shift),
  webhookRetryMs: Number(retry),
});
process.stdout.write(JSON.stringify({ url: server.url, secretKey: server.secretKey }) + "\n");
