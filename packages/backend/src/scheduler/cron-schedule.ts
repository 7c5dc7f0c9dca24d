/**
 * When a cron runs next (docs/semantics.md#scheduled-functions-and-crons): `interval` every n seconds from the push on; `hourly`,
 * `daily`, `weekly`, `monthly` and cron strings (`m h dom mon dow`) at UTC times. Calendar
 * schedules become cron expressions, so one matcher serves them all.
 */
import { badRequest } from "../errors.js";

export type CronScheduleJSON = Record<string, unknown> & { readonly type?: unknown };

const MINUTE = 60_000;
const DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

/** A minute that stays the same for a job across pushes, when the app leaves `minuteUTC` out. */
export function stableMinute(identifier: string): number {
  let h = 2166136261;
  for (let i = 0; i < identifier.length; i++) h = Math.imul(h ^ identifier.charCodeAt(i), 16777619) >>> 0;
  return h % 60;
}

interface CronFields {
  readonly minute: ReadonlySet<number>;
  readonly hour: ReadonlySet<number>;
  readonly dom: ReadonlySet<number>;
  readonly month: ReadonlySet<number>;
  readonly dow: ReadonlySet<number>;
  readonly domAny: boolean;
  readonly dowAny: boolean;
}

export type CompiledSchedule =
  { readonly kind: "interval"; readonly ms: number } | { readonly kind: "calendar"; readonly fields: CronFields };

function int(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
    throw badRequest("InvalidCronSchedule", `Invalid cron ${what}: ${JSON.stringify(v)}`);
  return v;
}

/** Validates a schedule as `cronJobs().export()` writes it. */
export function compileSchedule(s: CronScheduleJSON, identifier: string): CompiledSchedule {
  const minute = () =>
    s.minuteUTC === undefined || s.minuteUTC === null ? stableMinute(identifier) : int(s.minuteUTC, "minuteUTC", 0, 59);
  switch (s.type) {
    case "interval": {
      const ms =
        typeof s.seconds === "number"
          ? s.seconds * 1000
          : typeof s.minutes === "number"
            ? s.minutes * MINUTE
            : typeof s.hours === "number"
              ? s.hours * 60 * MINUTE
              : NaN;
      if (!(ms >= 1000))
        throw badRequest(
          "InvalidCronSchedule",
          `Invalid cron interval for ${identifier}: it must be at least one second.`,
        );
      return { kind: "interval", ms };
    }
    case "hourly":
      return { kind: "calendar", fields: parseCron(`${minute()} * * * *`) };
    case "daily":
      return { kind: "calendar", fields: parseCron(`${minute()} ${int(s.hourUTC, "hourUTC", 0, 23)} * * *`) };
    case "weekly": {
      const day = DAYS.indexOf(String(s.dayOfWeek).toLowerCase());
      if (day < 0) throw badRequest("InvalidCronSchedule", `Invalid cron dayOfWeek: ${JSON.stringify(s.dayOfWeek)}`);
      return { kind: "calendar", fields: parseCron(`${minute()} ${int(s.hourUTC, "hourUTC", 0, 23)} * * ${day}`) };
    }
    case "monthly":
      return {
        kind: "calendar",
        fields: parseCron(`${minute()} ${int(s.hourUTC, "hourUTC", 0, 23)} ${int(s.day, "day", 1, 31)} * *`),
      };
    case "cron":
      if (typeof s.cron !== "string") throw badRequest("InvalidCronSchedule", `Invalid cron string for ${identifier}`);
      return { kind: "calendar", fields: parseCron(s.cron) };
    default:
      throw badRequest("InvalidCronSchedule", `Unknown cron schedule type ${JSON.stringify(s.type)} for ${identifier}`);
  }
}

function parseField(text: string, min: number, max: number, what: string): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw badRequest("InvalidCronSchedule", `Invalid cron ${what} field: ${JSON.stringify(text)}`);
    const lo = m[1] === "*" ? min : Number(m[2]);
    const hi = m[1] === "*" ? max : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? max : lo;
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    if (lo < min || hi > max || lo > hi || step < 1)
      throw badRequest("InvalidCronSchedule", `Invalid cron ${what} field: ${JSON.stringify(text)}`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** A five-field cron expression (UTC): minute hour day-of-month month day-of-week (0 or 7 = Sunday). */
export function parseCron(expr: string): CronFields {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5)
    throw badRequest(
      "InvalidCronSchedule",
      `Invalid cron string ${JSON.stringify(expr)}: expected 5 fields (minute hour day-of-month month day-of-week).`,
    );
  const dow = parseField(parts[4]!, 0, 7, "day-of-week");
  if (dow.delete(7)) dow.add(0);
  return {
    minute: parseField(parts[0]!, 0, 59, "minute"),
    hour: parseField(parts[1]!, 0, 23, "hour"),
    dom: parseField(parts[2]!, 1, 31, "day-of-month"),
    month: parseField(parts[3]!, 1, 12, "month"),
    dow,
    domAny: parts[2] === "*",
    dowAny: parts[4] === "*",
  };
}

function dayMatches(f: CronFields, d: Date): boolean {
  const dom = f.dom.has(d.getUTCDate());
  const dow = f.dow.has(d.getUTCDay());
  // Classic cron: when both are restricted, either one matching is enough.
  if (!f.domAny && !f.dowAny) return dom || dow;
  return dom && dow;
}

/** The first matching minute strictly after `afterMs`, or null when none in the next 5 years. */
export function nextCalendarRun(f: CronFields, afterMs: number): number | null {
  const d = new Date(Math.floor(afterMs / MINUTE) * MINUTE + MINUTE);
  const limit = afterMs + 5 * 366 * 24 * 60 * MINUTE;
  while (d.getTime() <= limit) {
    if (!f.month.has(d.getUTCMonth() + 1)) {
      d.setUTCMonth(d.getUTCMonth() + 1, 1);
      d.setUTCHours(0, 0, 0, 0);
    } else if (!dayMatches(f, d)) {
      d.setUTCDate(d.getUTCDate() + 1);
      d.setUTCHours(0, 0, 0, 0);
    } else if (!f.hour.has(d.getUTCHours())) {
      d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0);
    } else if (!f.minute.has(d.getUTCMinutes())) {
      d.setTime(d.getTime() + MINUTE);
    } else return d.getTime();
  }
  return null;
}

/**
 * Next run after `nowMs`. An interval counts from its previous run (or runs at once after a push,
 * "beginning when the job is first deployed"); runs missed while the server was down are skipped.
 */
export function nextRun(s: CompiledSchedule, nowMs: number, prevMs: number | null): number | null {
  if (s.kind === "interval") {
    if (prevMs === null) return nowMs;
    // The next point on the interval's grid after now (a late run does not shift the grid).
    return nowMs < prevMs + s.ms ? prevMs + s.ms : prevMs + (Math.floor((nowMs - prevMs) / s.ms) + 1) * s.ms;
  }
  return nextCalendarRun(s.fields, nowMs);
}
