/**
 * A tiny structured logger. Fields whose names look secret are redacted before anything is
 * written, so a careless `log.info("x", { password })` cannot leak.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET = /pass(word)?|secret|token|key|code|authorization|cookie/i;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(name: string): Logger;
}

export function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (SECRET.test(k)) out[k] = "[redacted]";
    else if (v && typeof v === "object" && !Array.isArray(v) && !(v instanceof Error))
      out[k] = redact(v as Record<string, unknown>);
    else if (v instanceof Error) out[k] = v.message;
    else out[k] = v;
  }
  return out;
}

export function createLogger(name: string, options: { level?: LogLevel; write?: (line: string) => void } = {}): Logger {
  const min = order[options.level ?? (process.env.TANDEM_LOG_LEVEL as LogLevel | undefined) ?? "info"] ?? 20;
  const write = options.write ?? ((line: string) => process.stderr.write(line + "\n"));
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (order[level] < min) return;
    const extra = fields ? " " + JSON.stringify(redact(fields)) : "";
    write(`${new Date().toISOString()} ${level.toUpperCase()} [${name}] ${msg}${extra}`);
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (sub) => createLogger(`${name}:${sub}`, options),
  };
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};
