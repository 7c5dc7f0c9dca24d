/**
 * The syscall table (docs/architecture.md#syscalls): what `globalThis.Convex.*` does for one execution. Queries and
 * mutations read and write through their transaction; actions call back into the engine, each
 * call its own transaction.
 */
import { TandemError } from "@tandem/shared";
import { badRequest } from "../errors.js";
import type { ConvexJSON, DocumentJSON } from "@tandem/storage";
import type { ActionRequest, FunctionKind, Identity, MutationRequest, QueryRequest, ActionResult, MutationResult, QueryResult } from "../engine/types.js";
import type { Transaction } from "../transactions/transaction.js";
import { insert, patch, remove, replace, tableOfId, type DocumentCheck } from "./db-ops.js";
import { compileQuery } from "./query/plan.js";
import { QueryStream } from "./query/stream.js";
import { readPage } from "./query/page.js";
import { encodeJournal, journalEndCursor } from "./query/cursor.js";
import type { SyscallHandler } from "./realm.js";
import { identityJSON } from "./identity.js";
import { unwrapConvexError } from "./function-error.js";
import { tableMarkerRange } from "../transactions/table-marker.js";
import { parseTransactionLimits, type NestedLimits } from "../transactions/limits.js";
import type { VectorSearchRequest, VectorSearchResult } from "../search/search-request.js";
import { readSearchPage, SearchStream, searchSourceOf } from "../search/search-stream.js";
import { schedulerSyscall } from "../scheduler/syscalls.js";
import { isStorageSyscall, storageJsSyscall, storageSyscall, type FileAccess, type StorageCall, type StorageCallResult } from "../files/index.js";

/** What actions reach through `ctx.runQuery/runMutation/runAction`. */
export interface EngineCallbacks {
  runQuery(req: QueryRequest): Promise<QueryResult>;
  runMutation(req: MutationRequest): Promise<MutationResult>;
  runAction(req: ActionRequest): Promise<ActionResult>;
  /** `ctx.vectorSearch` (absent where no search indexes are reachable). */
  vectorSearch?(req: VectorSearchRequest): Promise<VectorSearchResult>;
  /** `ctx.storage` in actions (served where `_storage` rows are committed). */
  storage?(call: StorageCall): Promise<StorageCallResult>;
}

export interface NestedCall {
  (kind: FunctionKind, path: string, args: ConvexJSON, limits: NestedLimits | null): Promise<ConvexJSON>;
}

export interface SyscallContext {
  readonly kind: FunctionKind;
  readonly identity: Identity;
  readonly tx: Transaction | null;
  readonly functionName: string;
  readonly check: DocumentCheck;
  readonly engine: EngineCallbacks;
  readonly nested: NestedCall;
  readonly deploymentName: string;
  /** Journal passed in by a subscription, and the one this execution produces. */
  readonly journal: { input: string | null; output: string | null; paginated: boolean };
  /** File storage for queries and mutations; `cloudUrl` prefixes the URLs it hands out. */
  readonly files?: { readonly access: FileAccess | null; readonly cloudUrl: string };
}

const S = (v: unknown) => JSON.stringify(v);

export class ExecutionSyscalls implements SyscallHandler {
  readonly #c: SyscallContext;
  readonly #streams = new Map<number, QueryStream | SearchStream>();
  #nextStream = 1;

  constructor(context: SyscallContext) {
    this.#c = context;
  }

  /** Records the read ranges of streams the code never closed. */
  finish(): void {
    for (const s of this.#streams.values()) s.finish();
    this.#streams.clear();
  }

  #tx(op: string): Transaction {
    const tx = this.#c.tx;
    if (!tx) throw new Error(`${op} is not available in actions: use ctx.runQuery or ctx.runMutation.`);
    return tx;
  }

  #writable(op: string): Transaction {
    const tx = this.#tx(op);
    if (this.#c.kind !== "mutation") throw new Error(`${op} is only available in mutations.`);
    return tx;
  }

  syscall(op: string, jsonArgs: string): string {
    const args = JSON.parse(jsonArgs) as Record<string, ConvexJSON>;
    switch (op) {
      case "1.0/queryStream": {
        const tx = this.#tx("db.query");
        const search = searchSourceOf(args.query);
        if (search) {
          const id = this.#nextStream++;
          this.#streams.set(id, new SearchStream(tx, tx.catalog.search, search.source, search.operators));
          return S({ queryId: id });
        }
        const plan = compileQuery(args.query, tx.catalog, isSystemQuery(args.query));
        const id = this.#nextStream++;
        if ("empty" in plan) tx.recordRange(tableMarkerRange(plan.table));
        this.#streams.set(id, new QueryStream(tx, "empty" in plan ? null : plan));
        return S({ queryId: id });
      }
      case "1.0/queryCleanup": {
        const s = this.#streams.get(Number(args.queryId));
        s?.finish();
        return S(this.#streams.delete(Number(args.queryId)));
      }
      case "1.0/db/normalizeId": {
        const tx = this.#tx("db.normalizeId");
        const table = String(args.table);
        const idString = String(args.idString);
        try {
          const r = tableOfId(tx, idString, "db.normalizeId");
          return S({ id: r.table === table ? r.id : null });
        } catch {
          return S({ id: null });
        }
      }
      case "1.0/getSnapshotTs": {
        const tx = this.#tx("getSnapshotTs");
        const b = Buffer.alloc(8);
        b.writeBigInt64LE(BigInt.asIntN(64, tx.ts));
        return S({ $integer: b.toString("base64") });
      }
      default:
        throw new Error(`Unknown operation ${op}`);
    }
  }

  async asyncSyscall(op: string, jsonArgs: string): Promise<string> {
    const args = JSON.parse(jsonArgs) as Record<string, ConvexJSON>;
    try {
      return S(await this.#async(op, args));
    } catch (e) {
      // The bundled client rethrows `new Error(e.message)`, or a ConvexError when `data` is set.
      if (e instanceof TandemError) throw new Error(e.message);
      // A ConvexError from a nested runQuery/runMutation carries its data as JSON text (the
      // runtime serialized it); the syscall layer expects Convex JSON.
      const convexError = typeof (e as { data?: unknown } | null)?.data === "string" ? unwrapConvexError(e) : null;
      if (convexError) throw Object.assign(new Error(convexError.message), { data: convexError.data });
      throw e;
    }
  }

  async #async(op: string, args: Record<string, ConvexJSON>): Promise<unknown> {
    const c = this.#c;
    switch (op) {
      case "1.0/get": {
        const tx = this.#tx("db.get");
        const isSystem = args.isSystem === true;
        let resolved;
        try {
          resolved = tableOfId(tx, args.id, "db.get", typeof args.table === "string" ? args.table : undefined);
        } catch (e) {
          if (typeof args.id === "string" && /Table for ID/.test((e as Error).message)) return null;
          throw e;
        }
        if (resolved.table.startsWith("_") !== isSystem)
          throw badRequest("SystemTableError", isSystem ? "User tables can only be accessed with db, not db.system." : "System tables can only be accessed with db.system.");
        return await tx.get(resolved.id, resolved.table);
      }
      case "1.0/queryStreamNext": {
        const s = this.#streams.get(Number(args.queryId));
        if (!s) throw new Error("Query stream not found (it was already closed)");
        const value = await s.next();
        return { value, done: value === null };
      }
      case "1.0/queryPage": {
        const tx = this.#tx("paginate");
        if (c.journal.paginated) throw badRequest("MultiplePaginatedDatabaseQueries", "This query or mutation function ran multiple paginated queries. Convex only supports a single paginated query in each function.");
        c.journal.paginated = true;
        const endCursor = typeof args.endCursor === "string" ? args.endCursor : journalEndCursor(c.journal.input);
        const cursor = typeof args.cursor === "string" ? args.cursor : null;
        const search = searchSourceOf(args.query);
        if (search) {
          const result = await readSearchPage(new SearchStream(tx, tx.catalog.search, search.source, search.operators), { cursor, endCursor, pageSize: Number(args.pageSize) });
          c.journal.output = encodeJournal(result.continueCursor);
          return result;
        }
        const plan = compileQuery(args.query, tx.catalog, isSystemQuery(args.query));
        if ("empty" in plan) {
          tx.recordRange(tableMarkerRange(plan.table));
          return { page: [], isDone: true, continueCursor: "_end", splitCursor: null, pageStatus: null };
        }
        const result = await readPage(tx, plan, {
          cursor,
          endCursor,
          pageSize: Number(args.pageSize),
          maximumRowsRead: typeof args.maximumRowsRead === "number" ? args.maximumRowsRead : null,
        });
        c.journal.output = encodeJournal(result.continueCursor);
        return result;
      }
      case "1.0/count": {
        const tx = this.#tx("count");
        const plan = compileQuery({ source: { type: "FullTableScan", tableName: String(args.table), order: null } }, tx.catalog, String(args.table).startsWith("_"));
        if ("empty" in plan) {
          tx.recordRange(tableMarkerRange(plan.table));
          return 0;
        }
        const s = new QueryStream(tx, plan);
        let n = 0;
        while ((await s.next()) !== null) n++;
        return n;
      }
      case "1.0/insert":
        return { _id: await insert(this.#writable("db.insert"), args.table, args.value, c.check) };
      case "1.0/shallowMerge":
        return await patch(this.#writable("db.patch"), args.id, args.value, optTable(args), c.check);
      case "1.0/replace":
        return await replace(this.#writable("db.replace"), args.id, args.value, optTable(args), c.check);
      case "1.0/remove":
        return await remove(this.#writable("db.delete"), args.id, optTable(args));
      case "1.0/getUserIdentity":
        return identityJSON(c.identity);
      case "1.0/getTransactionMetrics":
        return this.#tx("getTransactionMetrics").metrics.toJSON();
      case "1.0/getFunctionMetadata":
        return { name: c.functionName, componentPath: "" };
      case "1.0/getDeploymentMetadata":
        return { name: c.deploymentName, region: null, class: "s16" };
      case "1.0/getRequestMetadata":
        if (c.kind === "query") throw new Error("getRequestMetadata is not available in queries (RequestMetadataNotAllowed).");
        return { ip: null, userAgent: null, requestId: "", scheduledFunctionId: null, authToken: c.identity.kind === "user" ? c.identity.token : null };
      case "1.0/runUdf": {
        const kind = args.udfType === "mutation" ? "mutation" : "query";
        if (c.kind === "query" && kind === "mutation") throw new Error("Queries can't call mutations (InvalidFunctionCall).");
        const limits = parseTransactionLimits(args.transactionLimits);
        return await c.nested(kind, functionName(args), (args.args ?? {}) as ConvexJSON, limits);
      }
      case "1.0/actions/query":
      case "1.0/actions/mutation":
      case "1.0/actions/action":
        return await this.#fromAction(op, args);
      case "1.0/actions/vectorSearch": {
        if (c.kind !== "action" || !c.engine.vectorSearch) throw new Error("ctx.vectorSearch is only available in actions.");
        return await c.engine.vectorSearch(args.query as unknown as VectorSearchRequest);
      }
      case "1.0/createFunctionHandle":
        return `function://${functionName(args)}`;
      case "1.0/schedule":
      case "1.0/cancel_job":
      case "1.0/actions/schedule":
      case "1.0/actions/cancel_job":
        return await schedulerSyscall(op, args, { kind: c.kind, tx: c.tx, engine: c.engine, functionName });
      default:
        if (isStorageSyscall(op)) return await storageSyscall(this.#storage(), op, args);
        if (op.includes("vectorSearch"))
          throw new Error(`${op} is not supported by this Tandem version yet.`);
        throw new Error(`Unknown async operation ${op}`);
    }
  }

  async #fromAction(op: string, args: Record<string, ConvexJSON>): Promise<unknown> {
    const c = this.#c;
    if (c.kind !== "action") throw new Error(`Unknown async operation ${op}`);
    const req = { path: functionName(args), args: (args.args ?? {}) as ConvexJSON, identity: c.identity, allowInternal: true };
    const r =
      op === "1.0/actions/query"
        ? await c.engine.runQuery(req)
        : op === "1.0/actions/mutation"
          ? await c.engine.runMutation(req)
          : await c.engine.runAction(req);
    if (!r.ok) {
      const err = new Error(r.error.message) as Error & { data?: string };
      if (r.error.data !== undefined) err.data = r.error.data as never;
      throw err;
    }
    return r.value;
  }

  #storage() {
    const c = this.#c;
    const call = c.engine.storage?.bind(c.engine) ?? null;
    return { kind: c.kind, tx: c.tx, files: c.files?.access ?? null, cloudUrl: c.files?.cloudUrl ?? "", call };
  }

  jsSyscall(op: string, args: Record<string, unknown>): unknown {
    if (op.startsWith("storage/")) return storageJsSyscall(this.#storage(), op, args);
    throw new Error(`${op} is not supported by this Tandem version yet.`);
  }
}

function optTable(args: Record<string, ConvexJSON>): string | undefined {
  return typeof args.table === "string" ? args.table : undefined;
}

/** `name`, `reference` (`_reference/function/<path>`) or `functionHandle` (`function://<path>`). */
export function functionName(args: Record<string, ConvexJSON>): string {
  if (typeof args.name === "string") return args.name;
  if (typeof args.reference === "string") {
    const m = /^_reference\/function\/(.+)$/.exec(args.reference);
    if (m) return m[1]!;
    throw badRequest("InvalidFunctionCall", `Component references are not supported yet: ${args.reference}`);
  }
  if (typeof args.functionHandle === "string") return args.functionHandle.replace(/^function:\/\//, "").replace(/^[^#]*#/, "");
  throw badRequest("InvalidFunctionCall", "Missing function name");
}

function isSystemQuery(query: ConvexJSON | undefined): boolean {
  const src = (query as { source?: { tableName?: string; indexName?: string } } | null)?.source;
  const name = src?.tableName ?? src?.indexName ?? "";
  return name.startsWith("_");
}

export type { DocumentJSON };
