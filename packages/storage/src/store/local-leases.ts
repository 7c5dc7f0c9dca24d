/**
 * Leases for a store no other writer shares (SQLite, memory): this process is the only node, so
 * they live in its memory and end with it.
 */
import type { Leases } from "../types.js";

export class LocalLeases implements Leases {
  readonly #held = new Map<string, { holder: string; until: number }>();

  async acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const cur = this.#held.get(name);
    const now = Date.now();
    if (cur && cur.holder !== holder && cur.until > now) return false;
    this.#held.set(name, { holder, until: now + ttlMs });
    return true;
  }

  async release(name: string, holder: string): Promise<void> {
    if (this.#held.get(name)?.holder === holder) this.#held.delete(name);
  }

  async holders(prefix: string): Promise<Set<string>> {
    const now = Date.now();
    const out = new Set<string>();
    for (const [name, l] of this.#held) if (name.startsWith(prefix) && l.until > now) out.add(l.holder);
    return out;
  }
}
