/**
 * Mutations still running, by (sessionId, requestId). A client that reconnects re-sends every
 * mutation it has no confirmed result for; if the first copy is still running (its socket died
 * mid-mutation), the re-send waits for it instead of racing it. Finished mutations are the
 * engine's business: it recorded the result in the mutation's own transaction.
 */
import type { MutationResult } from "../engine/types.js";

export class InflightMutations {
  private readonly running = new Map<string, Promise<MutationResult>>();

  run(sessionId: string, requestId: number, start: () => Promise<MutationResult>): Promise<MutationResult> {
    const key = `${requestId}:${sessionId}`;
    const existing = this.running.get(key);
    if (existing) return existing;
    const p = start();
    this.running.set(key, p);
    const forget = () => this.running.delete(key);
    p.then(forget, forget);
    return p;
  }

  get size(): number {
    return this.running.size;
  }
}
