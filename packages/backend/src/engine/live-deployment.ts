/**
 * What executions run against: the deployment made live last, the environment variables, the
 * catalog of tables (with a version function threads compare to reload theirs) and the schema's
 * document check for that deployment.
 */
import { backendError } from "../errors.js";
import { decodeId, type DocumentJSON, type Storage } from "@tandem/storage";
import type { ValidationContext } from "../values/index.js";
import type { Catalog } from "../transactions/catalog.js";
import { LoadedDeployment } from "../runtime/loaded-deployment.js";
import { makeDocumentCheck } from "../runtime/document-check.js";
import type { DocumentCheck } from "../runtime/db-ops.js";
import type { Deployment } from "./deployment.js";

export class LiveDeployment {
  #loaded: LoadedDeployment | null = null;
  #env: Record<string, string> = {};
  /** Bumped when tables or indexes change, so workers reload their catalog. */
  catalogVersion = 0;
  readonly catalog: Catalog;
  readonly validation: ValidationContext;
  #documentCheck: { version: string | null; check: DocumentCheck } = { version: null, check: () => {} };

  constructor(storage: Storage, search?: Catalog["search"]) {
    this.catalog = {
      ...(search ? { search } : {}),
      tables: () => storage.tables(),
      tableByNumber: (n) => storage.tableByNumber(n),
      indexes: (t) => storage.indexes(t),
      ensureTable: async (t) => {
        const existed = storage.tables().some((x) => x.name === t);
        const info = await storage.ensureTable(t);
        if (!existed) this.catalogVersion += 1;
        return info;
      },
      newId: (t) => storage.newId(t),
    };
    this.validation = {
      tableNumberToName: (n) => storage.tableByNumber(n as never)?.name,
      decodeId: (id) => decodeId(id),
    };
  }

  get loaded(): LoadedDeployment | null {
    return this.#loaded;
  }

  get env(): Readonly<Record<string, string>> {
    return this.#env;
  }

  require(): LoadedDeployment {
    if (!this.#loaded)
      throw backendError(
        "BadRequest",
        "NoDeployment",
        "No functions have been pushed to this deployment yet. Run `npx convex dev`.",
      );
    return this.#loaded;
  }

  /** The live schema's check of a written document (made once per deployment). */
  readonly checkDocument = (table: string, doc: DocumentJSON): void => {
    const live = this.#loaded;
    const version = live?.deployment.version ?? null;
    if (this.#documentCheck.version !== version)
      this.#documentCheck = {
        version,
        check: live ? makeDocumentCheck(live.deployment.analysis, this.validation) : () => {},
      };
    this.#documentCheck.check(table, doc);
  };

  /** Makes `deployment` live; true when it replaced different code. */
  deploy(deployment: Deployment): boolean {
    const changed = this.#loaded !== null && this.#loaded.deployment.version !== deployment.version;
    this.#loaded = new LoadedDeployment(deployment);
    this.catalogVersion += 1;
    return changed;
  }

  /** True when the variables changed. */
  setEnvironment(vars: Readonly<Record<string, string>>): boolean {
    const changed = JSON.stringify(vars) !== JSON.stringify(this.#env);
    this.#env = { ...vars };
    return changed;
  }
}
