/**
 * A node sharing its database with other nodes follows their commits: woken by the database
 * (Postgres NOTIFY) and, since a wake-up can be lost, by a modest poll, it syncs the storage —
 * which reports the other nodes' commits to the OCC log and to the subscriptions — and then runs
 * `after` (reloading a deployment another node pushed). SQLite has no other writers: no follower.
 */
import type { Logger } from "@tandem/shared";
import type { Storage } from "@tandem/storage";

export interface CommitFollowerOptions {
  readonly storage: Storage;
  readonly logger: Logger;
  /** Between polls (default 250 ms): the longest a lost notification delays an update. */
  readonly pollMs?: number;
  /** Runs after each sync. */
  readonly after?: () => Promise<void>;
}

export class CommitFollower {
  #running: Promise<void> | null = null;
  #again = false;
  #closed = false;
  #timer: NodeJS.Timeout | null = null;
  #unwatch: () => Promise<void> = async () => {};
  #failing = false;
  /** Syncs done (tests). */
  syncs = 0;

  private constructor(private readonly o: CommitFollowerOptions) {}

  /** Starts following, or returns null when no other node writes to this storage. */
  static async start(o: CommitFollowerOptions): Promise<CommitFollower | null> {
    if (!o.storage.otherWriters) return null;
    const f = new CommitFollower(o);
    f.#unwatch = await o.storage.watchCommits(() => f.wake());
    f.#timer = setInterval(() => f.wake(), o.pollMs ?? 250);
    f.#timer.unref();
    return f;
  }

  /** Syncs soon: at once when idle, else once more after the sync under way. */
  wake(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#loop().finally(() => (this.#running = null));
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      try {
        await this.o.storage.sync();
        this.syncs += 1;
        await this.o.after?.();
        if (this.#failing) this.o.logger.info("following other nodes' commits again");
        this.#failing = false;
      } catch (e) {
        // Logged once per outage: the poll tries again.
        if (!this.#failing && !this.#closed)
          this.o.logger.warn("could not follow other nodes' commits", {
            error: e instanceof Error ? e.message : String(e),
          });
        this.#failing = true;
      }
    } while (this.#again && !this.#closed);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#unwatch();
    await this.#running;
  }
}
