/**
 * `email.created`: Clerk sends it for every e-mail it sends (apps that deliver mail themselves
 * read subject and body from it). A wrapper around the mailer, so the mailer stays about mail.
 */
import { randomBase62 } from "../ids.js";
import type { Mailer } from "../mail/mailer.js";
import type { IdentityStore } from "../store/types.js";
import { makeEvent, type EventSource } from "./events.js";

export function withEmailEvents(inner: Mailer, store: IdentityStore, src: EventSource): Mailer {
  return {
    async send(m) {
      await inner.send(m);
      const user = await store.findUserByEmail(src.instanceId, m.to);
      const email = user?.emails.find((e) => e.email === m.to.toLowerCase());
      const data = {
        object: "email",
        id: `ema_${randomBase62()}`,
        slug: m.code ? "verification_code" : null,
        from_email_name: "notifications",
        to_email_address: m.to,
        email_address_id: email?.id ?? null,
        user_id: user?.id ?? null,
        subject: m.subject,
        body: m.text,
        body_plain: m.text,
        status: "queued",
        data: m.code ? { otp_code: m.code } : {},
        delivered_by_clerk: true,
      };
      await store.enqueueEvents([makeEvent(src, "email.created", data, user?.id ?? null)]);
    },
    close: () => inner.close(),
  };
}
