/**
 * The sending side of one socket: a bounded outbound queue. `ws` buffers what the kernel has not
 * taken yet (`bufferedAmount`); when a client stops reading, that buffer — not server memory at
 * large — is what grows, and past `maxBytes` the connection is closed with a reason the official
 * client backs off from and reconnects after (it then re-subscribes from scratch).
 */
import { WebSocket } from "ws";

/** Close code 1013 "Try Again Later"; the reason prefix gives the client a 3 s initial backoff. */
export const OVERLOAD_CLOSE = { code: 1013, reason: "TooManyConcurrentRequests: client is not reading fast enough" };

export class Outbound {
  lastSentAt = Date.now();
  bytesSent = 0;
  private readonly ws: WebSocket;
  private readonly maxBytes: number;
  private readonly onOverload: () => void;

  constructor(ws: WebSocket, maxBytes: number, onOverload: () => void) {
    this.ws = ws;
    this.maxBytes = maxBytes;
    this.onOverload = onOverload;
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  get buffered(): number {
    return this.ws.bufferedAmount;
  }

  /**
   * Sends one text frame. A message larger than the bound still goes out when the queue is empty,
   * so a big Transition can reach a client that keeps up; a client that does not gets closed.
   */
  send(text: string): boolean {
    if (!this.open) return false;
    const queued = this.ws.bufferedAmount;
    if (queued > 0 && queued + text.length > this.maxBytes) {
      this.onOverload();
      return false;
    }
    this.ws.send(text);
    this.lastSentAt = Date.now();
    this.bytesSent += text.length;
    return true;
  }
}
