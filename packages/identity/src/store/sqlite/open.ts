/**
 * The identity store on one SQLite file through better-sqlite3 (WAL, synchronous=NORMAL): the
 * idempotent DDL, columns added to databases made before them, then the shared SQL store.
 */
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { IdentityStore } from "../types.js";
import { createSqlStore } from "../sql/store.js";
import { sqliteDb } from "./db.js";
import { schema, SCHEMA_VERSION } from "./schema.js";
import { webhookSchema } from "./webhook-schema.js";
import { addColumnOnce, orgSchema } from "./org-schema.js";
import {
  externalAccountConnectionSchema,
  externalAccountSchema,
  orgRoleSchema,
  passkeySchema,
  phoneSchema,
  secondFactorSchema,
} from "./factor-schema.js";

export function openSqliteStore(file: string): IdentityStore {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  db.exec(schema);
  db.exec(webhookSchema);
  db.exec(orgSchema);
  db.exec(orgRoleSchema);
  addColumnOnce(db, "sessions", "active_organization_id", "TEXT");
  addColumnOnce(db, "webhook_deliveries", "claimed_until", "INTEGER");
  db.exec(secondFactorSchema);
  db.exec(phoneSchema);
  db.exec(externalAccountSchema);
  db.exec(externalAccountConnectionSchema);
  db.exec(passkeySchema);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
  return createSqlStore(sqliteDb(db));
}
