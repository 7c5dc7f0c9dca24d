/** Waits until `read()` satisfies `ok`, polling; fails with the last value after `ms`. */
export async function waitFor<T>(read: () => T, ok: (v: T) => boolean, ms = 10_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
