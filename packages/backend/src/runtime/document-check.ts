/** Schema enforcement on every write (docs/architecture.md#schema-and-config), from the deployment's `schema.export()`. */
import type { ValidatorJSON } from "convex/values";
import { backendError } from "../errors.js";
import type { DocumentJSON } from "@tandem/storage";
import { validateDocument, type ValidationContext } from "../values/index.js";
import type { Analysis } from "../engine/deployment.js";
import type { DocumentCheck } from "./db-ops.js";
import { isComponentTable } from "../components/types.js";

export function makeDocumentCheck(analysis: Analysis, ctx: ValidationContext): DocumentCheck {
  const schema = analysis.schema;
  // Component tables are checked against their own schema even when the app's does not validate.
  if (!schema || (!schema.schemaValidation && !schema.tables.some((t) => isComponentTable(t.tableName))))
    return () => {};
  const types = new Map<string, ValidatorJSON>();
  for (const t of schema.tables)
    if (schema.schemaValidation || isComponentTable(t.tableName))
      types.set(t.tableName, t.documentType as ValidatorJSON);
  return (table: string, doc: DocumentJSON) => {
    const type = types.get(table);
    // A component without a schema (or without this table in it) does not validate it.
    if (!type && (!schema.schemaValidation || isComponentTable(table))) return;
    if (!type)
      throw backendError(
        "BadRequest",
        "SchemaViolation",
        `Failed to insert or update a document in table "${table}" because it does not match the schema: Table "${table}" is not in the schema.`,
      );
    const msg = validateDocument(table, type, doc as never, ctx);
    if (msg) throw backendError("BadRequest", "SchemaViolation", msg);
  };
}
