/**
 * A connection's mutations, run one at a time in arrival order, and the read-your-writes barrier:
 * a mutation that starts when the latest commit is `s` commits at `T > s`, so a Transition at
 * `ts > s` must wait for that mutation's response (docs/sync-protocol.md#transitions-and-ordering).
 */
import type { Timestamp } from "@tandem/storage";

type QueueState =
  | { readonly kind: "idle" }
  | { readonly kind: "running"; readonly startTs: Timestamp; readonly responded: Promise<void> };

export interface MutationQueueOptions<T> {
  readonly maxQueued: number;
  readonly latestTs: () => Timestamp;
  /** Called before each item: false stops the queue (the connection is closing). */
  readonly admit: (item: T) => boolean;
  /** Runs one item to its response. */
  readonly run: (item: T) => Promise<void>;
  readonly fail: (e: unknown) => void;
}

/** What a Transition waits on (see `blockerFor`). */
export interface ResponseBarrier {
  blockerFor(ts: Timestamp): Promise<void> | null;
}

export class MutationQueue<T> implements ResponseBarrier {
  private items: T[] = [];
  private state: QueueState = { kind: "idle" };

  constructor(private readonly options: MutationQueueOptions<T>) {}

  /** False when the queue is full (the caller closes the connection). */
  enqueue(item: T): boolean {
    if (this.items.length >= this.options.maxQueued) return false;
    this.items.push(item);
    if (this.state.kind === "idle") void this.drain();
    return true;
  }

  /**
   * The response to wait for before a Transition at `ts` may go out: the running mutation's, when
   * it may commit at or before `ts`; null when nothing blocks (no await, no extra tick).
   */
  blockerFor(ts: Timestamp): Promise<void> | null {
    return this.state.kind === "running" && ts > this.state.startTs ? this.state.responded : null;
  }

  clear(): void {
    this.items = [];
  }

  private async drain(): Promise<void> {
    try {
      while (this.items.length) {
        const item = this.items.shift()!;
        if (!this.options.admit(item)) return;
        let responded!: () => void;
        this.state = {
          kind: "running",
          startTs: this.options.latestTs(),
          responded: new Promise<void>((r) => (responded = r)),
        };
        try {
          await this.options.run(item);
        } finally {
          this.state = { kind: "idle" };
          responded();
        }
      }
    } catch (e) {
      this.options.fail(e);
    } finally {
      this.state = { kind: "idle" };
    }
  }
}
