/**
 * Leases in the `leases` table (migration 3), shared by every node on the database. Each call is
 * one statement; expiry is the database's `now()`, so the nodes' own clocks never decide it.
 */
import type { Pool } from "pg";
import type { Leases } from "../types.js";

/** Takes the row when it is free, expired or already ours; returns it only then. */
const ACQUIRE = `
  INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
  ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
  WHERE leases.holder = excluded.holder OR leases.expires_at <= now()
  RETURNING holder`;
const RELEASE = `DELETE FROM leases WHERE name = $1 AND holder = $2`;
const HOLDERS = `SELECT holder FROM leases WHERE starts_with(name, $1) AND expires_at > now()`;

export class PostgresLeases implements Leases {
  constructor(private readonly pool: Pool) {}

  async acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const r = await this.pool.query(ACQUIRE, [name, holder, Math.max(1, Math.round(ttlMs))]);
    return r.rowCount === 1;
  }

  async release(name: string, holder: string): Promise<void> {
    await this.pool.query(RELEASE, [name, holder]);
  }

  async holders(prefix: string): Promise<Set<string>> {
    const r = await this.pool.query<{ holder: string }>(HOLDERS, [prefix]);
    return new Set(r.rows.map((row) => row.holder));
  }
}
