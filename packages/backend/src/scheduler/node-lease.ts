/**
 * This node's identity and heartbeat (docs/scale-out.md#leases): a lease `node/<id>` renewed a few
 * times per lease period, so other nodes can tell the work of a node that died (its lease expired)
 * from the work of a node that is only busy. Each beat also takes or renews the crons leader lease:
 * only the leader fires crons, so a cron runs once cluster-wide.
 *
 * On SQLite the leases live in this process, so this node is always live and always the leader.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "@tandem/shared";
import type { Storage } from "@tandem/storage";

export const NODE_LEASE_PREFIX = "node/";
export const CRONS_LEADER_LEASE = "leader/crons";
/** Default lease period: a node killed without a goodbye is taken for dead this long after its last beat. */
export const DEFAULT_NODE_LEASE_MS = 10_000;

export interface NodeLeaseOptions {
  readonly storage: Storage;
  readonly logger: Logger;
  readonly ttlMs?: number;
}

export class NodeLease {
  readonly id = randomUUID();
  readonly ttlMs: number;
  readonly #o: NodeLeaseOptions;
  #timer: NodeJS.Timeout | null = null;
  #beating: Promise<void> | null = null;
  /** `performance.now()` until which this node may act as the crons leader. */
  #leaderUntil = 0;
  #failing = false;
  #closed = false;
  readonly #listeners = new Set<() => void>();

  constructor(options: NodeLeaseOptions) {
    this.#o = options;
    this.ttlMs = options.ttlMs ?? DEFAULT_NODE_LEASE_MS;
  }

  /** Takes the node lease (and the leader lease if free), then renews them every third of the period. */
  async start(): Promise<void> {
    await this.beat();
    this.#timer = setInterval(() => void this.beat(), Math.max(50, Math.floor(this.ttlMs / 3)));
    this.#timer.unref();
  }

  /** Calls `listener` after every beat (the scheduler then looks for work of dead nodes, and at crons). */
  onBeat(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** True while this node holds the crons leader lease (with a margin before it could expire). */
  isLeader(): boolean {
    return !this.#closed && performance.now() < this.#leaderUntil;
  }

  /** Ids of the nodes whose lease is live (this one included while it beats). */
  liveNodes(): Promise<Set<string>> {
    return this.#o.storage.leases.holders(NODE_LEASE_PREFIX);
  }

  /** One renewal: the node lease, then the leader lease. Beats never overlap. */
  beat(): Promise<void> {
    this.#beating ??= this.#beat().finally(() => (this.#beating = null));
    return this.#beating;
  }

  async #beat(): Promise<void> {
    if (this.#closed) return;
    const { leases } = this.#o.storage;
    // Measured before asking: the database starts the lease no earlier than this, so a local
    // deadline from here ends before the database's does.
    const asked = performance.now();
    try {
      await leases.acquire(NODE_LEASE_PREFIX + this.id, this.id, this.ttlMs);
      const leader = await leases.acquire(CRONS_LEADER_LEASE, this.id, this.ttlMs);
      // Two thirds of the period: a late beat lets the role lapse here before another node can take it.
      this.#leaderUntil = leader ? asked + (this.ttlMs * 2) / 3 : 0;
      if (this.#failing) this.#o.logger.info("node lease renewed again", { node: this.id });
      this.#failing = false;
    } catch (error) {
      this.#leaderUntil = Math.min(this.#leaderUntil, asked + (this.ttlMs * 2) / 3);
      if (!this.#failing && !this.#closed) this.#o.logger.warn("could not renew the node lease", { error });
      this.#failing = true;
    }
    if (!this.#closed) for (const l of this.#listeners) l();
  }

  /** Stops beating and gives both leases up, so another node takes the crons at once. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#beating;
    const { leases } = this.#o.storage;
    await leases.release(CRONS_LEADER_LEASE, this.id).catch(() => {});
    await leases.release(NODE_LEASE_PREFIX + this.id, this.id).catch(() => {});
  }
}
