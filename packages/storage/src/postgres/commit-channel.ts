/**
 * Wake-ups for nodes sharing one Postgres: every commit (and meta write) NOTIFYs a channel named
 * after the schema, in its own transaction, so the notification goes out only when it is durable.
 * A follower LISTENs on a dedicated connection. Notifications are a hint: the head row stays the
 * truth, a lost connection is opened again, and followers poll meanwhile.
 */
import { createHash } from "node:crypto";
import pg from "pg";

/** The channel of one schema: an identifier short enough for Postgres (63 bytes), quoted safely. */
export function commitChannel(schema: string): string {
  return `tandem_commits_${createHash("sha256").update(schema).digest("hex").slice(0, 24)}`;
}

const RECONNECT_MS = 1000;

/**
 * LISTENs on `channel` through connections made by `connect`, calling `wake` on each notification
 * with the head the commit moved to (none for a meta write or a lost connection).
 */
export async function listenForCommits(
  connect: () => pg.Client,
  channel: string,
  wake: (ts?: bigint) => void,
): Promise<() => Promise<void>> {
  let closed = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;
  const open = async (): Promise<void> => {
    const c = connect();
    c.on("notification", (n) => wake(n.payload && /^[0-9]+$/.test(n.payload) ? BigInt(n.payload) : undefined));
    c.on("error", () => lost(c));
    c.on("end", () => lost(c));
    await c.connect();
    await c.query(`LISTEN ${channel}`);
    if (closed) await c.end().catch(() => {});
    else client = c;
  };
  const lost = (c: pg.Client) => {
    if (client !== c || closed) return;
    client = null;
    void c.end().catch(() => {});
    wake(); // commits made while the connection was down went unnoticed
    schedule();
  };
  const schedule = () => {
    retry ??= setTimeout(() => {
      retry = null;
      if (!closed) open().catch(schedule);
    }, RECONNECT_MS);
    retry.unref();
  };
  await open();
  return async () => {
    closed = true;
    if (retry) clearTimeout(retry);
    const c = client;
    client = null;
    await c?.end().catch(() => {});
  };
}
