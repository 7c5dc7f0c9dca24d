export { attachSyncServer, type SyncServer, type SyncServerOptions, type SyncServerStats } from "./server.js";
export { encodeTs, decodeTs } from "./ts-codec.js";
export { parseClientMessage, type ClientMessage } from "./client-messages.js";
export { ProtocolError, type ProtocolErrorCode } from "./protocol-error.js";
export type { ServerMessage } from "./server-message-types.js";
