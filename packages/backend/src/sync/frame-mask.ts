/**
 * `ws` keeps the 4-byte mask of the last frame it read as a view into the chunk that frame came
 * in (`Receiver#_mask`), so an idle connection holds the whole last read — a Buffer, an
 * ArrayBuffer and its bytes, about 0.5 KB after the Connect and ModifyQuerySet frames — until its
 * next frame replaces it. The mask is read only while its own frame is unmasked, so it can be
 * dropped as soon as the frame's event has been delivered. Reaching into `ws`'s private state is
 * the price; `frame-mask.test.ts` fails if a `ws` upgrade moves it.
 */
import type { WebSocket } from "ws";

interface ReceiverInternals {
  _mask?: Buffer;
}

/** Drops the receiver's view of the last chunk; call from a `message`/`pong`/`ping` listener. */
export function releaseFrameMask(ws: WebSocket): void {
  const receiver = (ws as unknown as { _receiver?: ReceiverInternals })._receiver;
  if (receiver !== undefined) receiver._mask = undefined;
}
