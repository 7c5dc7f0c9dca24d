/**
 * The sending side of one socket: a bounded outbound queue. `ws` buffers what the kernel has not
 * taken yet (`bufferedAmount`); when a client stops reading, that buffer — not server memory at
 * large — is what grows, and past `maxBytes` the connection is closed with a reason the official
 * client backs off from and reconnects after (it then re-subscribes from scratch).
 */
import type { Socket } from "node:net";
import { WebSocket } from "ws";
import { idleClockMs } from "./idle-clock.js";

/** `ws` keeps the TCP socket private; reached only to hold writes back (see `coalesce`). */
const socketOf = (ws: WebSocket): Socket | undefined => (ws as unknown as { _socket?: Socket })._socket;
const uncork = (socket: Socket) => socket.uncork();

/** Close code 1013 "Try Again Later"; the reason prefix gives the client a 3 s initial backoff. */
export const OVERLOAD_CLOSE = { code: 1013, reason: "TooManyConcurrentRequests: client is not reading fast enough" };

/** Told when its client stopped reading (an object rather than a closure: one less per connection). */
export interface OverloadListener {
  overloaded(): void;
}

export class Outbound {
  /** When a frame last went out (`idleClockMs`). */
  lastSentAt = idleClockMs();
  private readonly ws: WebSocket;
  private readonly maxBytes: number;
  private readonly owner: OverloadListener;

  constructor(ws: WebSocket, maxBytes: number, owner: OverloadListener) {
    this.ws = ws;
    this.maxBytes = maxBytes;
    this.owner = owner;
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  get buffered(): number {
    return this.ws.bufferedAmount;
  }

  /**
   * Frames sent from now until the current burst of promise jobs ends leave in one write: a
   * MutationResponse and the Transition that follows it in the same burst cost one syscall, not
   * two (the frames are unchanged). Released on the next tick, which runs once the promise jobs
   * queued so far (and those they queue) are done.
   */
  coalesce(): void {
    const socket = socketOf(this.ws);
    if (!socket || socket.writableCorked > 0) return;
    socket.cork();
    process.nextTick(uncork, socket);
  }

  /**
   * Sends one text frame. A message larger than the bound still goes out when the queue is empty,
   * so a big Transition can reach a client that keeps up; a client that does not gets closed.
   */
  send(text: string): boolean {
    if (!this.open) return false;
    const queued = this.ws.bufferedAmount;
    if (queued > 0 && queued + text.length > this.maxBytes) {
      this.owner.overloaded();
      return false;
    }
    this.ws.send(text);
    this.lastSentAt = idleClockMs();
    return true;
  }
}
