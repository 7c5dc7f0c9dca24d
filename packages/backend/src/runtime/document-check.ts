/** Schema enforcement on every write (docs/architecture.md#schema-and-config), from the deployment's `schema.export()`. */
import type { ValidatorJSON } from "convex/values";
import { backendError } from "../errors.js";
import type { DocumentJSON } from "@tandem/storage";
import { validateDocument, type ValidationContext } from "../values/index.js";
import type { Analysis } from "../engine/deployment.js";
import type { DocumentCheck } from "./db-ops.js";

export function makeDocumentCheck(analysis: Analysis, ctx: ValidationContext): DocumentCheck {
  const schema = analysis.schema;
  if (!schema || !schema.schemaValidation) return () => {};
  const types = new Map<string, ValidatorJSON>();
  for (const t of schema.tables) types.set(t.tableName, t.documentType as ValidatorJSON);
  return (table: string, doc: DocumentJSON) => {
    const type = types.get(table);
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
