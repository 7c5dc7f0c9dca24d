/**
 * Outgoing e-mail. Development instances never send: every message lands in the dev inbox (the
 * `/dev/inbox` endpoint and `IdentityServer.inbox()`). Production sends through SMTP with
 * nodemailer in the background (`smtp-queue.ts`: a hanging SMTP server holds no request), and
 * fails clearly when SMTP is not configured.
 */
import nodemailer from "nodemailer";
import type { Logger } from "@tandem/shared";
import { ApiError } from "../errors.js";
import { SmtpQueue } from "./smtp-queue.js";
import type { SmtpOptions } from "../config.js";
import type { InstanceId } from "../ids.js";
import type { IdentityStore, InstanceKind } from "../store/types.js";

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** The one-time code the message carries (kept in the dev inbox only). */
  code: string | null;
}

export interface Mailer {
  /** Resolves once the message is stored (dev inbox) or queued for SMTP, not when it arrives. */
  send(mail: OutgoingMail): Promise<void>;
  /** Stops background sending (the server is closing). */
  close(): void;
}

export function createMailer(opts: {
  kind: InstanceKind;
  instanceId: InstanceId;
  store: IdentityStore;
  smtp: SmtpOptions | undefined;
  logger: Logger;
}): Mailer {
  if (opts.kind === "development") {
    return {
      async send(m) {
        await opts.store.addInboxMessage({ instanceId: opts.instanceId, ...m, createdAt: Date.now() });
        // The subject carries the code: log the recipient only.
        opts.logger.info("dev inbox: message stored", { to: m.to });
      },
      close() {},
    };
  }
  const smtp = opts.smtp;
  if (!smtp) {
    return {
      async send() {
        throw new ApiError("email_delivery_unavailable");
      },
      close() {},
    };
  }
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port ?? 587,
    secure: smtp.secure ?? false,
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.pass ?? "" } } : {}),
    // nodemailer's defaults (2 min to connect, 10 min of silence) would hold a delivery slot for
    // that long when the server hangs.
    connectionTimeout: smtp.timeoutMs ?? 10_000,
    greetingTimeout: smtp.timeoutMs ?? 10_000,
    socketTimeout: smtp.timeoutMs ?? 10_000,
  });
  const queue = new SmtpQueue({
    deliver: (m) => transport.sendMail({ from: smtp.from, to: m.to, subject: m.subject, text: m.text }),
    logger: opts.logger,
    ...(smtp.retryDelaysMs ? { retryDelaysMs: smtp.retryDelaysMs } : {}),
  });
  return {
    async send(m) {
      queue.enqueue(m);
    },
    close() {
      queue.close();
      transport.close();
    },
  };
}

/** Message bodies. Plain text; the code is the only secret they carry. */
export const templates = {
  verifyEmail: (code: string, app: string) => ({
    subject: `${code} is your ${app} verification code`,
    text: `Your verification code is ${code}.\n\nIt expires in 10 minutes. If you did not ask for it, ignore this e-mail.`,
  }),
  signInCode: (code: string, app: string) => ({
    subject: `${code} is your ${app} sign-in code`,
    text: `Your sign-in code is ${code}.\n\nIt expires in 10 minutes. If you did not try to sign in, ignore this e-mail.`,
  }),
  resetPassword: (code: string, app: string) => ({
    subject: `${code} is your ${app} password reset code`,
    text: `Your password reset code is ${code}.\n\nIt expires in 10 minutes. If you did not ask to reset your password, ignore this e-mail.`,
  }),
};
