/**
 * The clock of the keep-alive sweep: whole milliseconds of a monotonic clock that starts near 0
 * with the process. The two times every connection keeps (last frame received, last sent) stay
 * small integers, which V8 stores in the object itself, rather than a boxed double each as
 * `Date.now()` values are (memory per idle connection, bench/README.md); past 12–24 days of uptime
 * (V8's small-integer range) they are boxed again, still correct. A wall-clock jump does not fake silence.
 */
export const idleClockMs = (): number => Math.floor(performance.now());
