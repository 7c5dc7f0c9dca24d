/**
 * Sends e-mail over SMTP in the background. A request that sends a code only queues its message
 * and answers (as Clerk's API does): an SMTP server that hangs or answers slowly holds a few
 * delivery slots until nodemailer's timeouts end the attempt, never a user's request. Each message
 * is tried up to `1 + retryDelaysMs.length` times, then given up with an error in the log. The
 * queue is bounded: past `maxQueued` waiting messages, sending is refused (`email_queue_full`)
 * instead of growing memory while the server is down. The queue lives in memory: a crash loses the
 * messages not yet sent (their codes can be sent again).
 */
import type { Logger } from "@tandem/shared";
import { ApiError } from "../errors.js";

export interface QueuedMail {
  to: string;
  subject: string;
  text: string;
}

export interface SmtpQueueOptions {
  /** Sends one message; rejects on failure (nodemailer's `sendMail`, bounded by its timeouts). */
  deliver: (m: QueuedMail) => Promise<unknown>;
  logger: Logger;
  /** Messages sent at once (default 8). */
  concurrency?: number;
  /** Messages waiting at most (default 10,000). */
  maxQueued?: number;
  /** Waits before the retries (default 2 s, 15 s, 60 s: a code lives 10 minutes). */
  retryDelaysMs?: readonly number[];
}

interface Job extends QueuedMail {
  attempts: number;
}

export class SmtpQueue {
  readonly #waiting: Job[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  #active = 0;
  #closed = false;
  /** Messages sent and given up since start (tests and logs read them). */
  sent = 0;
  failed = 0;

  constructor(private readonly o: SmtpQueueOptions) {}

  /** Queues `m` and returns at once; throws when the queue is full or closed. */
  enqueue(m: QueuedMail): void {
    if (this.#closed || this.#waiting.length >= (this.o.maxQueued ?? 10_000)) {
      this.o.logger.error("e-mail queue full: refusing to send", { queued: this.#waiting.length });
      throw new ApiError("email_queue_full");
    }
    this.#waiting.push({ ...m, attempts: 0 });
    this.#next();
  }

  #next(): void {
    while (!this.#closed && this.#active < (this.o.concurrency ?? 8) && this.#waiting.length) {
      const job = this.#waiting.shift()!;
      this.#active++;
      void this.#attempt(job).finally(() => {
        this.#active--;
        this.#next();
      });
    }
  }

  async #attempt(job: Job): Promise<void> {
    job.attempts++;
    try {
      await this.o.deliver(job);
      this.sent++;
      return;
    } catch (e) {
      const delays = this.o.retryDelaysMs ?? [2_000, 15_000, 60_000];
      const delay = delays[job.attempts - 1];
      if (delay === undefined) {
        this.failed++;
        this.o.logger.error("e-mail delivery failed, giving up", {
          to: job.to,
          attempts: job.attempts,
          error: (e as Error).message,
        });
        return;
      }
      this.o.logger.warn("e-mail delivery failed, will retry", {
        to: job.to,
        attempts: job.attempts,
        retryInMs: delay,
        error: (e as Error).message,
      });
      const t = setTimeout(() => {
        this.#timers.delete(t);
        if (this.#closed) return;
        this.#waiting.push(job);
        this.#next();
      }, delay);
      t.unref();
      this.#timers.add(t);
    }
  }

  /** Stops sending: waiting messages are dropped, attempts in flight end by their timeouts. */
  close(): void {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#waiting.length = 0;
  }
}
