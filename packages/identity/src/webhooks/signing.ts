/**
 * Svix / Standard Webhooks signatures: `v1,` + base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`))
 * where key is the base64 part of the `whsec_` secret. What the `svix` package's `Webhook.verify`
 * and `@clerk/backend`'s `verifyWebhook` check.
 */
import { createHmac, randomBytes } from "node:crypto";

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

export function signPayload(secret: string, msgId: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return "v1," + createHmac("sha256", key).update(`${msgId}.${timestampSeconds}.${body}`).digest("base64");
}

/** The three headers of one attempt (the timestamp is the attempt's, as Svix does). */
export function svixHeaders(secret: string, msgId: string, nowMs: number, body: string): Record<string, string> {
  const ts = Math.floor(nowMs / 1000);
  return {
    "content-type": "application/json",
    "svix-id": msgId,
    "svix-timestamp": String(ts),
    "svix-signature": signPayload(secret, msgId, ts, body),
  };
}
