/**
 * The backend's life as a load balancer sees it (docs/operations.md#health-and-readiness):
 * `starting` until every service is wired, `ready`, then `draining` after SIGTERM. Counts the
 * requests and function calls in flight so a drain can wait for them.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export type LifecycleState = "starting" | "ready" | "draining";

export class Lifecycle {
  #state: LifecycleState = "starting";
  #inFlight = 0;
  #calls = 0;
  #idle: Array<() => void> = [];

  get state(): LifecycleState {
    return this.#state;
  }

  /** HTTP requests and function calls not yet finished. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Function calls (queries, mutations, actions) not yet finished. */
  get calls(): number {
    return this.#calls;
  }

  ready(): void {
    if (this.#state === "starting") this.#state = "ready";
  }

  startDraining(): void {
    this.#state = "draining";
  }

  /** Counts a function call as in flight until it settles. */
  trackCall<T>(work: Promise<T>): Promise<T> {
    this.#inFlight++;
    this.#calls++;
    return work.finally(() => {
      this.#calls--;
      this.#done();
    });
  }

  /** Counts an HTTP exchange until its response is finished or its socket closes. */
  trackResponse(res: ServerResponse): void {
    this.#inFlight++;
    // `close` follows `finish` on a completed response and also fires when the socket goes first.
    res.once("close", this.#responseClosed);
  }

  readonly #responseClosed = (): void => this.#done();

  /** Resolves when nothing is in flight, or after `timeoutMs` (then `false`). */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.#inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#idle = this.#idle.filter((f) => f !== onIdle);
        resolve(false);
      }, timeoutMs);
      timer.unref();
      const onIdle = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#idle.push(onIdle);
    });
  }

  #done(): void {
    this.#inFlight--;
    if (this.#inFlight > 0) return;
    const waiting = this.#idle;
    this.#idle = [];
    for (const f of waiting) f();
  }
}

/**
 * Answers `/health` (the process is up) and `/ready` (route traffic here) before any routing;
 * `true` when it answered.
 */
export function answerProbe(lifecycle: Lifecycle, req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  const path = (req.url ?? "").split("?")[0];
  if (path === "/health") {
    send(res, 200, "OK");
    return true;
  }
  if (path === "/ready") {
    const state = lifecycle.state;
    send(res, state === "ready" ? 200 : 503, state);
    return true;
  }
  return false;
}

/** While starting or draining, everything but the probes gets 503. */
export function refuseUnavailable(lifecycle: Lifecycle, res: ServerResponse): void {
  res.setHeader("Retry-After", "1");
  send(res, 503, lifecycle.state === "draining" ? "This server is shutting down." : "This server is starting.");
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" });
  res.end(text);
}
