/** Next-run computation of every schedule `cronJobs()` exports, in UTC. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileSchedule, nextRun, stableMinute } from "../../src/scheduler/index.js";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const next = (schedule: Record<string, unknown>, now: string, prev: string | null = null, id = "job") =>
  iso(nextRun(compileSchedule(schedule, id), at(now), prev === null ? null : at(prev)));

test("interval: at once when deployed, then on its grid; missed runs are skipped", () => {
  assert.equal(next({ type: "interval", minutes: 5 }, "2026-01-01T10:00:00Z"), "2026-01-01T10:00:00.000Z");
  assert.equal(
    next({ type: "interval", seconds: 30 }, "2026-01-01T10:00:01Z", "2026-01-01T10:00:00Z"),
    "2026-01-01T10:00:30.000Z",
  );
  assert.equal(
    next({ type: "interval", hours: 1 }, "2026-01-01T13:30:00Z", "2026-01-01T10:00:00Z"),
    "2026-01-01T14:00:00.000Z",
  );
  assert.throws(() => compileSchedule({ type: "interval", seconds: 0 }, "x"), /at least one second/);
});

test("hourly, daily, weekly, monthly at UTC times", () => {
  assert.equal(next({ type: "hourly", minuteUTC: 30 }, "2026-01-01T10:31:00Z"), "2026-01-01T11:30:00.000Z");
  assert.equal(next({ type: "daily", hourUTC: 3, minuteUTC: 15 }, "2026-01-01T03:15:00Z"), "2026-01-02T03:15:00.000Z");
  // 2026-01-01 is a Thursday.
  assert.equal(
    next({ type: "weekly", dayOfWeek: "monday", hourUTC: 9, minuteUTC: 0 }, "2026-01-01T00:00:00Z"),
    "2026-01-05T09:00:00.000Z",
  );
  assert.equal(
    next({ type: "monthly", day: 31, hourUTC: 0, minuteUTC: 0 }, "2026-02-01T00:00:00Z"),
    "2026-03-31T00:00:00.000Z",
  );
});

test("a left-out minuteUTC is a stable minute per job", () => {
  const m = stableMinute("cleanup");
  assert.ok(m >= 0 && m < 60);
  assert.equal(
    new Date(
      nextRun(compileSchedule({ type: "hourly" }, "cleanup"), at("2026-01-01T10:00:00Z"), null)!,
    ).getUTCMinutes(),
    m,
  );
});

test("cron strings: lists, ranges, steps, Sunday as 0 or 7, day-of-month OR day-of-week", () => {
  assert.equal(next({ type: "cron", cron: "*/15 * * * *" }, "2026-01-01T10:16:00Z"), "2026-01-01T10:30:00.000Z");
  assert.equal(next({ type: "cron", cron: "0 9-17/4 * * *" }, "2026-01-01T13:00:00Z"), "2026-01-01T17:00:00.000Z");
  assert.equal(next({ type: "cron", cron: "0 0 * * 7" }, "2026-01-01T00:00:00Z"), "2026-01-04T00:00:00.000Z");
  assert.equal(next({ type: "cron", cron: "0 0 13 * 1" }, "2026-01-01T00:00:00Z"), "2026-01-05T00:00:00.000Z");
  assert.equal(next({ type: "cron", cron: "0 0 1 1,7 *" }, "2026-02-01T00:00:00Z"), "2026-07-01T00:00:00.000Z");
  assert.equal(next({ type: "cron", cron: "0 0 30 2 *" }, "2026-01-01T00:00:00Z"), null);
  for (const bad of ["* * * *", "60 * * * *", "a * * * *", "5-1 * * * *"]) {
    assert.throws(() => compileSchedule({ type: "cron", cron: bad }, "x"), /Invalid cron/, bad);
  }
});
