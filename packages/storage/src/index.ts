export type * from "./types.js";
export { storageError, type StorageErrorCode } from "./errors.js";
export * from "./values/index.js";
export * from "./keys/index.js";
export * from "./ids/index.js";
export { openSqliteStorage, type SqliteStorageOptions } from "./sqlite/open.js";
export { MvccStorage } from "./engine/store.js";
export type { Dialect } from "./engine/dialect.js";
export { nextTimestamp, nowNanos } from "./engine/clock.js";
