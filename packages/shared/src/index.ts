export type { Brand } from "./brand.js";
export { assert, unreachable, InvariantError } from "./assert.js";
export {
  TandemError,
  errorStatus,
  isTandemError,
  badRequest,
  notFound,
  unauthenticated,
  type ErrorKind,
} from "./errors.js";
export { backoffDelay, sleep } from "./backoff.js";
export { createLogger, silentLogger, redact, type Logger, type LogLevel } from "./logger.js";
