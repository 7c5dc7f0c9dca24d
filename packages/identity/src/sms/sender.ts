/**
 * Outgoing text messages. Development instances never send: every message lands in the dev inbox
 * (recipient = the phone number). Production posts each message as JSON to a configured HTTP
 * webhook (`sms.webhookUrl`, docs/identity-api.md#sms), which relays it to an SMS provider;
 * without one, sending fails clearly with `sms_delivery_unavailable`.
 */
import type { Logger } from "@tandem/shared";
import { ApiError } from "../errors.js";
import type { InstanceId } from "../ids.js";
import type { IdentityStore, InstanceKind } from "../store/types.js";

export interface SmsOptions {
  /** Receives `POST {"to": "+15555550100", "message": "..."}` for every text; any 2xx is success. */
  webhookUrl: string;
  /** Sent as `Authorization: Bearer <token>` so the relay can tell the calls are ours. */
  bearerToken?: string;
  /** Give up on the relay after this long (default 10 s). */
  timeoutMs?: number;
}

export interface OutgoingSms {
  to: string;
  text: string;
  /** The one-time code the message carries (kept in the dev inbox only). */
  code: string | null;
}

export interface SmsSender {
  send(sms: OutgoingSms): Promise<void>;
}

export function createSmsSender(opts: {
  kind: InstanceKind;
  instanceId: InstanceId;
  store: IdentityStore;
  sms: SmsOptions | undefined;
  logger: Logger;
  clock: () => number;
}): SmsSender {
  const relay = opts.sms ? relaySender(opts.sms, opts.logger) : null;
  if (opts.kind === "development") {
    // Every text lands in the dev inbox; a configured relay (`tandem dev --sms-webhook`) gets it too.
    return {
      async send(m) {
        await opts.store.addInboxMessage({
          instanceId: opts.instanceId,
          to: m.to,
          subject: "SMS",
          text: m.text,
          code: m.code,
          createdAt: opts.clock(),
        });
        opts.logger.info("dev inbox: text message stored");
        await relay?.send(m);
      },
    };
  }
  return (
    relay ?? {
      async send() {
        throw new ApiError("sms_delivery_unavailable");
      },
    }
  );
}

function relaySender(relay: SmsOptions, logger: Logger): SmsSender {
  return {
    async send(m) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (relay.bearerToken) headers.authorization = `Bearer ${relay.bearerToken}`;
      let status = 0;
      try {
        const res = await fetch(relay.webhookUrl, {
          method: "POST",
          headers,
          body: JSON.stringify({ to: m.to, message: m.text }),
          signal: AbortSignal.timeout(relay.timeoutMs ?? 10_000),
        });
        status = res.status;
        await res.body?.cancel();
      } catch (e) {
        logger.error("sms relay unreachable", { error: (e as Error).name });
      }
      if (status < 200 || status > 299) {
        if (status) logger.error("sms relay refused", { status });
        throw new ApiError("sms_delivery_unavailable");
      }
    },
  };
}
