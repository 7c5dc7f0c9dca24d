/** Turns `console.*` calls inside functions into Convex log lines (`"[LOG] 'hi' 1"`). */
import { inspect } from "node:util";
import type { LogLine } from "../engine/types.js";

const MAX_LINES = 256;
const MAX_LINE_BYTES = 4096;

export class LogCollector {
  readonly lines: string[] = [];
  #truncated = false;

  add(level: LogLine["level"], args: unknown[]): void {
    if (this.lines.length >= MAX_LINES) {
      if (!this.#truncated) {
        this.#truncated = true;
        this.lines.push("[WARN] Log overflow (maximum 256). Remaining log lines will be omitted.");
      }
      return;
    }
    let text = args.map((a) => inspect(a, { depth: 4, breakLength: Infinity })).join(" ");
    if (Buffer.byteLength(text) > MAX_LINE_BYTES) text = text.slice(0, MAX_LINE_BYTES) + " (truncated)";
    this.lines.push(`[${level}] ${text}`);
  }
}

/** A `console` object for a realm that writes into whichever collector is current. */
export function makeConsole(current: () => LogCollector | null): Record<string, (...args: unknown[]) => void> {
  const at =
    (level: LogLine["level"]) =>
    (...args: unknown[]) =>
      current()?.add(level, args);
  const timers = new Map<string, number>();
  return {
    log: at("LOG"),
    info: at("INFO"),
    debug: at("DEBUG"),
    warn: at("WARN"),
    error: at("ERROR"),
    trace: at("LOG"),
    time: (label = "default") => void timers.set(String(label), performance.now()),
    timeEnd: (label = "default") => {
      const start = timers.get(String(label));
      timers.delete(String(label));
      if (start !== undefined) current()?.add("INFO", [`${label}: ${(performance.now() - start).toFixed(0)}ms`]);
    },
  };
}
