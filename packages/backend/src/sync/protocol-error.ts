/**
 * A client broke the sync protocol: the connection ends with a `FatalError` naming the code, and
 * the official client stops for good (docs/sync-protocol.md#fatal-errors). Never used for function errors.
 */
import { TandemError } from "@tandem/shared";

export const protocolErrorCodes = [
  "InvalidMessage",
  "UnknownMessageType",
  "BinaryFrame",
  "MessageTooLarge",
  "NotConnected",
  "AlreadyConnected",
  "BaseVersionMismatch",
  "InvalidVersion",
  "DuplicateQueryId",
  "UnknownQueryId",
  "InvalidUdfPath",
] as const;
export type ProtocolErrorCode = (typeof protocolErrorCodes)[number];

export class ProtocolError extends TandemError {
  override name = "ProtocolError";
  declare readonly code: ProtocolErrorCode;
  constructor(code: ProtocolErrorCode, message: string) {
    super("BadRequest", code, message);
  }
}
