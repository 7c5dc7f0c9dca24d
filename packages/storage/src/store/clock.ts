/**
 * Commit timestamps: nanoseconds since the epoch, `max(last + 1, now)`. `now` is the wall clock
 * read once, advanced by the monotonic clock, so it never steps back within a process; the
 * persisted `last` keeps it monotonic across restarts and clock changes.
 */
const wallAtStart = BigInt(Date.now()) * 1_000_000n;
const hrAtStart = process.hrtime.bigint();

export function nowNanos(): bigint {
  return wallAtStart + (process.hrtime.bigint() - hrAtStart);
}

export function nextTimestamp(last: bigint, now: bigint = nowNanos()): bigint {
  return now > last ? now : last + 1n;
}
