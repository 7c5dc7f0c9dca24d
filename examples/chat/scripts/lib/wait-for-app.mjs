// Waits until `tandem dev` has started the backend and pushed the app's functions.
import { ConvexHttpClient } from "convex/browser";
import { readEnvFile } from "./env-file.mjs";
import { identityUrlOf } from "./identity-proxy.mjs";

const POLL_MS = 250;
/** Startup normally takes a few seconds; say what we wait for only when it takes longer. */
const QUIET_MS = 5_000;

/**
 * Resolves with `{ convexUrl, publishableKey, identityUrl }` once `.env.local` names a backend
 * that answers `GET /version` and runs `messages:list`, and an identity service that serves its
 * JWKS. Rejects when `stopped()` returns a reason (the dev process died) or after `timeoutMs`.
 */
export async function waitForApp({ envPath, timeoutMs, stopped, log }) {
  const begin = Date.now();
  const deadline = begin + timeoutMs;
  let stage = ".env.local";
  let lastError = "";
  for (;;) {
    const reason = stopped();
    if (reason !== null) throw new Error(`tandem dev stopped before the app was ready (${reason})`);
    if (Date.now() > deadline) {
      throw new Error(
        `the app was not ready after ${timeoutMs / 1000} s (waiting for ${stage}${lastError && `: ${lastError}`})`,
      );
    }
    const env = await readEnvFile(envPath);
    const url = env?.CONVEX_URL ?? env?.VITE_CONVEX_URL;
    const publishableKey = env?.VITE_TANDEM_PUBLISHABLE_KEY;
    if (url && publishableKey) {
      try {
        stage = "backend";
        const version = await fetch(`${url}/version`, { signal: AbortSignal.timeout(2000) });
        if (!version.ok) throw new Error(`GET /version answered ${version.status}`);
        stage = "the first push of convex/";
        await new ConvexHttpClient(url).query("messages:list", {});
        stage = "the identity service";
        const identityUrl = identityUrlOf(publishableKey);
        const jwks = await fetch(`${identityUrl}/.well-known/jwks.json`, { signal: AbortSignal.timeout(2000) });
        if (!jwks.ok) throw new Error(`GET /.well-known/jwks.json answered ${jwks.status}`);
        return { convexUrl: url, publishableKey, identityUrl };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (message !== lastError && Date.now() - begin > QUIET_MS) log?.(`waiting for ${stage}: ${message}`);
        lastError = message;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
