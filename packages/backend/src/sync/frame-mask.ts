/**
 * What `ws`'s receiver keeps of an idle socket's last read, released after each frame:
 * - the 4-byte mask of the last frame, a view into the chunk that frame came in (`_mask`), so the
 *   whole last read — a Buffer, an ArrayBuffer and its bytes, about 0.5 KB after the Connect and
 *   ModifyQuerySet frames — stays until the next frame replaces it. The mask is read only while its
 *   own frame is unmasked, so it can go once the frame's event is delivered;
 * - the queue of unread chunks (`_buffers`): empty between frames, but its backing store keeps the
 *   capacity its first `push` gave it (17 slots); an empty queue is swapped for a fresh one.
 * Reaching into `ws`'s private state is the price; `frame-mask.test.ts` fails if a `ws` upgrade
 * moves either.
 */
import type { WebSocket } from "ws";

interface ReceiverInternals {
  _mask?: Buffer;
  _buffers?: Buffer[];
}

/** Drops the receiver's hold on the last read; call from a `message` or `pong` listener. */
export function releaseFrameMask(ws: WebSocket): void {
  const receiver = (ws as unknown as { _receiver?: ReceiverInternals })._receiver;
  if (receiver === undefined) return;
  receiver._mask = undefined;
  if (receiver._buffers?.length === 0) receiver._buffers = [];
}
