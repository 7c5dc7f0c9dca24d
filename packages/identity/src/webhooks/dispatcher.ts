/**
 * Sends the outbox: wakes on new events and on the next due retry, POSTs each due delivery signed
 * for its endpoint, records the outcome. At least once: a delivery is marked done only after a 2xx,
 * so a crash mid-send sends it again on restart. One delivery at a time per endpoint and ordering
 * key (the store hands out only the head of each line), lines in parallel up to `concurrency`, and
 * at most `perEndpoint` of them to one endpoint: a receiver that hangs holds that many attempts
 * until they time out, never every slot, so the other endpoints keep being served.
 * A delivery is claimed in the store before it is sent, so dispatchers of several nodes sharing the
 * store send it once; when a node dies mid-send its claim runs out and another node sends it.
 */
import type { Logger } from "@tandem/shared";
import type { IdentityStore } from "../store/types.js";
import type { DueDelivery } from "../store/webhook-types.js";
import { retryDelayMs } from "./schedule.js";
import { svixHeaders } from "./signing.js";

/** How long the delivery log keeps finished deliveries (Svix keeps 90 days; a local log needs less). */
const LOG_RETENTION_MS = 30 * 24 * 3600 * 1000;

export interface DispatcherOptions {
  store: IdentityStore;
  logger: Logger;
  clock: () => number;
  /** First retry delay (ms) for tests; default Svix's schedule. */
  retryBaseMs?: number;
  /** Per-attempt timeout (Svix: 15 s). */
  timeoutMs?: number;
  /** Attempts in flight at once, over all endpoints (default 64). */
  concurrency?: number;
  /** Attempts in flight at once to one endpoint (default 16). */
  perEndpoint?: number;
}

export class WebhookDispatcher {
  readonly #inFlight = new Set<string>();
  /** Attempts in flight per endpoint id. */
  readonly #perEndpoint = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;
  #pruner: NodeJS.Timeout | null = null;
  #stopped = false;
  #running: Promise<void> | null = null;
  #again = false;
  readonly #sends = new Set<Promise<void>>();

  constructor(private readonly o: DispatcherOptions) {
    o.store.onOutbox(() => this.kick());
  }

  start(): void {
    this.kick();
    const prune = () =>
      void this.o.store
        .pruneWebhookLog(this.o.clock() - LOG_RETENTION_MS)
        .catch((e) => this.o.logger.warn("webhook log pruning failed", { error: (e as Error).message }));
    prune();
    this.#pruner = setInterval(prune, 3_600_000);
    this.#pruner.unref();
  }

  /** Looks for due work now (coalesces concurrent calls). */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#pump()
      .catch((e) => this.o.logger.error("webhook dispatch failed", { error: (e as Error).message }))
      .finally(() => {
        this.#running = null;
        if (this.#again) {
          this.#again = false;
          this.kick();
        }
      });
  }

  async #pump(): Promise<void> {
    const max = this.o.concurrency ?? 64;
    const cap = this.o.perEndpoint ?? 16;
    const limit = Math.max(0, max - this.#inFlight.size);
    const now = this.o.clock();
    const due = limit ? await this.o.store.claimDeliveries(now, limit, now + this.#claimMs, this.#busy(cap)) : [];
    const over: DueDelivery[] = [];
    for (const d of due) {
      const n = this.#perEndpoint.get(d.endpointId) ?? 0;
      // The batch may hold more lines of one endpoint than it may have in flight; the rest wait.
      if (n >= cap) {
        over.push(d);
        continue;
      }
      this.#perEndpoint.set(d.endpointId, n + 1);
      this.#inFlight.add(d.id);
      const p: Promise<void> = this.#send(d).finally(() => {
        this.#inFlight.delete(d.id);
        const left = (this.#perEndpoint.get(d.endpointId) ?? 1) - 1;
        if (left > 0) this.#perEndpoint.set(d.endpointId, left);
        else this.#perEndpoint.delete(d.endpointId);
        this.#sends.delete(p);
        this.kick();
      });
      this.#sends.add(p);
    }
    // Claimed but over the endpoint's cap: handed back at once rather than held until the claim ends.
    if (over.length) await this.o.store.releaseClaims(over.map((d) => d.id));
    // Saturated: a completion kicks again; otherwise sleep until the next one falls due.
    if (this.#inFlight.size < max) await this.#arm();
    else if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
  }

  /** A claim outlasts an attempt (its timeout) with room to record the outcome. */
  get #claimMs(): number {
    return (this.o.timeoutMs ?? 15_000) + 30_000;
  }

  /** Endpoints with `cap` attempts in flight: their due deliveries wait for a completion. */
  #busy(cap: number): ReadonlySet<string> {
    return new Set([...this.#perEndpoint].filter(([, n]) => n >= cap).map(([id]) => id));
  }

  /**
   * Sleeps until the next pending delivery falls due, or (store shared with other nodes) at most
   * the store's poll interval: events other nodes commit do not wake this process. A busy
   * endpoint's due deliveries are woken by its completions, not by the timer (which would
   * otherwise spin while a receiver hangs).
   */
  async #arm(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const poll = this.o.store.pollIntervalMs;
    const now = this.o.clock();
    const next = await this.o.store.nextDeliveryAt(this.#busy(this.o.perEndpoint ?? 16));
    if (this.#stopped) return;
    const at = poll === null ? next : Math.min(next ?? Infinity, now + poll);
    if (at === null) return;
    const wait = Math.min(Math.max(0, at - this.o.clock()), 2 ** 31 - 1);
    this.#timer = setTimeout(() => this.kick(), Math.max(wait, 5));
    this.#timer.unref();
  }

  async #send(d: DueDelivery): Promise<void> {
    const attempts = d.attempts + 1;
    let code: number | null = null;
    try {
      const res = await fetch(d.url, {
        method: "POST",
        headers: svixHeaders(d.secret, d.eventId, this.o.clock(), d.body),
        body: d.body,
        redirect: "manual",
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 15_000),
      });
      code = res.status;
      // The answer's body is not read (a receiver cannot make us buffer much).
      await res.body?.cancel().catch(() => undefined);
    } catch (e) {
      this.o.logger.debug("webhook attempt failed", { delivery: d.id, error: (e as Error).name });
    }
    const now = this.o.clock();
    if (code !== null && code >= 200 && code < 300) {
      await this.o.store.recordAttempt(d.id, {
        status: "succeeded",
        attempts,
        lastStatusCode: code,
        nextAttemptAt: now,
        at: now,
      });
      return;
    }
    const delay = retryDelayMs(attempts, this.o.retryBaseMs);
    await this.o.store.recordAttempt(d.id, {
      status: delay === null ? "failed" : "pending",
      attempts,
      lastStatusCode: code,
      nextAttemptAt: now + (delay ?? 0),
      at: now,
    });
    if (delay === null) this.o.logger.warn("webhook delivery gave up", { delivery: d.id, event: d.eventId, attempts });
  }

  /** Stops sending; attempts in flight finish and are recorded (call before closing the store). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#pruner) clearInterval(this.#pruner);
    await this.#running;
    await Promise.allSettled([...this.#sends]);
  }
}
