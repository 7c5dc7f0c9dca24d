/**
 * The syscall table (docs/architecture.md#syscalls): what `globalThis.Convex.*` does for one execution. Queries and
 * mutations read and write through their transaction; actions call back into the engine, each
 * call its own transaction.
 */
import { TandemError } from "@tandem/shared";
import { badRequest } from "../errors.js";
import type { ConvexJSON, DocumentJSON } from "@tandem/storage";
import type { FunctionKind, Identity } from "../engine/types.js";
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
import type { VectorSearchRequest } from "../search/search-request.js";
import { readSearchPage, SearchStream, searchSourceOf } from "../search/search-stream.js";
import { schedulerSyscall } from "../scheduler/syscalls.js";
import { isStorageSyscall, storageJsSyscall, storageSyscall, type FileAccess } from "../files/index.js";
import { ROOT_NAMESPACE, type TableNamespace } from "../components/types.js";
import { isComponentAddress } from "../components/addresses.js";
import { signDeploymentJwt, type DeploymentSigningKey } from "../auth/deployment-jwt.js";

import type { EngineCallbacks } from "./engine-callbacks.js";

export type { EngineCallbacks };

export interface NestedCall {
  (kind: FunctionKind, path: string, args: ConvexJSON, limits: NestedLimits | null): Promise<ConvexJSON>;
}

export interface SyscallContext {
  readonly kind: FunctionKind;
  readonly identity: Identity;
  readonly tx: Transaction | null;
  /**
   * The function whose code is running (`ctx.meta.getFunctionMetadata`): read at each syscall,
   * since calls into one instance share its syscalls (engine/execute.ts).
   */
  readonly functionName: string;
  readonly check: DocumentCheck;
  readonly engine: EngineCallbacks;
  readonly nested: NestedCall;
  readonly deploymentName: string;
  /** Journal passed in by a subscription, and the one this execution produces. */
  readonly journal: { input: string | null; output: string | null; paginated: boolean };
  /** File storage for queries and mutations; `cloudUrl` prefixes the URLs it hands out. */
  readonly files?: { readonly access: FileAccess | null; readonly cloudUrl: string };
  /** The tables of the component instance the code belongs to (the app's when absent). */
  readonly namespace?: TableNamespace;
  /** `createFunctionHandle` for a function named relative to this code's instance. */
  readonly createHandle?: (path: string) => string;
  /** The deployment's signing key for `ctx.auth.signJwt`, and the URL its tokens are issued under. */
  readonly deploymentJwt?: { readonly key: DeploymentSigningKey; readonly cloudUrl: string } | null;
}

const S = (v: unknown) => JSON.stringify(v);
const STREAM_DONE = '{"value":null,"done":true}';

/** What an async syscall's failure becomes for the bundled client (it rethrows `new Error(e.message)`, or a ConvexError when `data` is set). */
function syscallError(e: unknown): unknown {
  if (e instanceof TandemError) return new Error(e.message);
  // A ConvexError from a nested runQuery/runMutation carries its data as JSON text (the
  // runtime serialized it); the syscall layer expects Convex JSON.
  const convexError = typeof (e as { data?: unknown } | null)?.data === "string" ? unwrapConvexError(e) : null;
  if (convexError) return Object.assign(new Error(convexError.message), { data: convexError.data });
  return e;
}

export class ExecutionSyscalls implements SyscallHandler {
  readonly #c: SyscallContext;
  readonly #streams = new Map<number, QueryStream | SearchStream>();
  #nextStream = 1;

  readonly #ns: TableNamespace;

  constructor(context: SyscallContext) {
    this.#c = context;
    this.#ns = context.namespace ?? ROOT_NAMESPACE;
  }

  /** The query with its table named as the store knows it. */
  #scoped(query: ConvexJSON | undefined): ConvexJSON | undefined {
    if (this.#ns === ROOT_NAMESPACE) return query;
    const q = query as { source?: { tableName?: unknown; indexName?: unknown } } | null;
    const src = q?.source;
    if (!src) return query;
    if (typeof src.tableName === "string")
      return { ...q, source: { ...src, tableName: this.#ns.toStorage(src.tableName) } } as ConvexJSON;
    if (typeof src.indexName === "string")
      return { ...q, source: { ...src, indexName: this.#ns.toStorage(src.indexName) } } as ConvexJSON;
    return query;
  }

  /** An id of one of this instance's tables (others are "not found", as for a deleted table). */
  #ownId(tx: Transaction, id: ConvexJSON | undefined, op: string, table: string | undefined): string | undefined {
    const r = tableOfId(tx, id, op, table === undefined ? undefined : this.#ns.toStorage(table));
    if (this.#ns.fromStorage(r.table) === null)
      throw badRequest(
        "InvalidArgument",
        `Invalid argument \`id\` for \`${op}\`: Table for ID "${String(id)}" not found`,
      );
    return r.table;
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
        const query = this.#scoped(args.query);
        const search = searchSourceOf(query);
        if (search) {
          const id = this.#nextStream++;
          this.#streams.set(id, new SearchStream(tx, tx.catalog.search, search.source, search.operators));
          return S({ queryId: id });
        }
        const plan = compileQuery(query, tx.catalog, isSystemQuery(query));
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
          return S({ id: r.table === this.#ns.toStorage(table) ? r.id : null });
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

  asyncSyscall(op: string, jsonArgs: string): Promise<string> | string {
    // A query's next document in the batch at hand is answered at once (the realm hands user
    // code a settled promise of its own) instead of through a chain of promises per document.
    if (op === "1.0/queryStreamNext") {
      try {
        const now = this.#streamNextNow(JSON.parse(jsonArgs) as Record<string, ConvexJSON>);
        if (now !== undefined) return now;
      } catch (e) {
        return Promise.reject(syscallError(e));
      }
    }
    return this.#asyncSyscall(op, jsonArgs);
  }

  async #asyncSyscall(op: string, jsonArgs: string): Promise<string> {
    const args = JSON.parse(jsonArgs) as Record<string, ConvexJSON>;
    try {
      // A query stream's next document goes back as the text it was stored as (no parse, no
      // re-serialization): the bundled client parses it once.
      if (op === "1.0/queryStreamNext") return await this.#streamNext(args);
      return S(await this.#async(op, args));
    } catch (e) {
      throw syscallError(e);
    }
  }

  #stream(args: Record<string, ConvexJSON>): QueryStream | SearchStream {
    const s = this.#streams.get(Number(args.queryId));
    if (!s) throw new Error("Query stream not found (it was already closed)");
    return s;
  }

  /** `#streamNext`'s answer when it needs no read, else undefined. */
  #streamNextNow(args: Record<string, ConvexJSON>): string | undefined {
    const s = this.#stream(args);
    if (!(s instanceof QueryStream)) return undefined;
    const e = s.nextEntryNow();
    if (e === undefined) return undefined;
    return e === null ? STREAM_DONE : `{"value":${e.json},"done":false}`;
  }

  async #streamNext(args: Record<string, ConvexJSON>): Promise<string> {
    const s = this.#stream(args);
    if (s instanceof QueryStream) {
      const e = await s.nextEntry();
      return e === null ? STREAM_DONE : `{"value":${e.json},"done":false}`;
    }
    const value = await s.next();
    return S({ value, done: value === null });
  }

  async #async(op: string, args: Record<string, ConvexJSON>): Promise<unknown> {
    const c = this.#c;
    switch (op) {
      case "1.0/get": {
        const tx = this.#tx("db.get");
        const isSystem = args.isSystem === true;
        let resolved;
        try {
          resolved = tableOfId(
            tx,
            args.id,
            "db.get",
            typeof args.table === "string" ? this.#ns.toStorage(args.table) : undefined,
          );
        } catch (e) {
          if (typeof args.id === "string" && /Table for ID/.test((e as Error).message)) return null;
          throw e;
        }
        // Another instance's (or the app's) table does not exist for this code.
        const visible = this.#ns.fromStorage(resolved.table);
        if (visible === null) return null;
        if (visible.startsWith("_") !== isSystem)
          throw badRequest(
            "SystemTableError",
            isSystem
              ? "User tables can only be accessed with db, not db.system."
              : "System tables can only be accessed with db.system.",
          );
        return await tx.get(resolved.id, resolved.table);
      }
      case "1.0/queryPage": {
        const tx = this.#tx("paginate");
        if (c.journal.paginated)
          throw badRequest(
            "MultiplePaginatedDatabaseQueries",
            "This query or mutation function ran multiple paginated queries. Convex only supports a single paginated query in each function.",
          );
        c.journal.paginated = true;
        const query = this.#scoped(args.query);
        const endCursor = typeof args.endCursor === "string" ? args.endCursor : journalEndCursor(c.journal.input);
        const cursor = typeof args.cursor === "string" ? args.cursor : null;
        const search = searchSourceOf(query);
        if (search) {
          const result = await readSearchPage(
            new SearchStream(tx, tx.catalog.search, search.source, search.operators),
            { cursor, endCursor, pageSize: Number(args.pageSize) },
          );
          c.journal.output = encodeJournal(result.continueCursor);
          return result;
        }
        const plan = compileQuery(query, tx.catalog, isSystemQuery(query));
        if ("empty" in plan) {
          tx.recordRange(tableMarkerRange(plan.table));
          return { page: [], isDone: true, continueCursor: "_end", splitCursor: null, pageStatus: null };
        }
        const result = await readPage(tx, plan, {
          cursor,
          endCursor,
          pageSize: Number(args.pageSize),
          maximumRowsRead: typeof args.maximumRowsRead === "number" ? args.maximumRowsRead : null,
          maximumBytesRead: typeof args.maximumBytesRead === "number" ? args.maximumBytesRead : null,
        });
        c.journal.output = encodeJournal(result.continueCursor);
        return result;
      }
      case "1.0/count": {
        const tx = this.#tx("count");
        const table = this.#ns.toStorage(String(args.table));
        const plan = compileQuery(
          { source: { type: "FullTableScan", tableName: table, order: null } },
          tx.catalog,
          table.startsWith("_"),
        );
        if ("empty" in plan) {
          tx.recordRange(tableMarkerRange(plan.table));
          return 0;
        }
        const s = new QueryStream(tx, plan);
        let n = 0;
        while ((await s.nextEntry()) !== null) n++;
        return n;
      }
      case "1.0/insert":
        return { _id: await insert(this.#writable("db.insert"), args.table, args.value, c.check, this.#ns.toStorage) };
      case "1.0/shallowMerge": {
        const tx = this.#writable("db.patch");
        return await patch(tx, args.id, args.value, this.#ownId(tx, args.id, "db.patch", optTable(args)), c.check);
      }
      case "1.0/replace": {
        const tx = this.#writable("db.replace");
        return await replace(tx, args.id, args.value, this.#ownId(tx, args.id, "db.replace", optTable(args)), c.check);
      }
      case "1.0/remove": {
        const tx = this.#writable("db.delete");
        return await remove(tx, args.id, this.#ownId(tx, args.id, "db.delete", optTable(args)));
      }
      case "1.0/getUserIdentity":
        return identityJSON(c.identity);
      case "1.0/signJwt": {
        // Only mutations have it (`MutationAuth`); the bundled client offers it nowhere else.
        if (c.kind !== "mutation") throw new Error("ctx.auth.signJwt is only available in mutations.");
        const jwt = c.deploymentJwt;
        if (!jwt) throw new Error("ctx.auth.signJwt: this deployment has no signing key.");
        const path = this.#ns.componentPath;
        return signDeploymentJwt(jwt.key, {
          issuer: path === "" ? jwt.cloudUrl : `${jwt.cloudUrl}/components/${path}`,
          claims: args.claims,
          expiresInSeconds: args.expiresInSeconds,
          nowMs: this.#tx("signJwt").beginMs,
        });
      }
      case "1.0/getTransactionMetrics":
        return this.#tx("getTransactionMetrics").metrics.toJSON();
      case "1.0/getFunctionMetadata":
        return { name: c.functionName, componentPath: this.#ns.componentPath };
      case "1.0/getDeploymentMetadata":
        return { name: c.deploymentName, region: null, class: "s16" };
      case "1.0/getRequestMetadata":
        if (c.kind === "query")
          throw new Error("getRequestMetadata is not available in queries (RequestMetadataNotAllowed).");
        return {
          ip: null,
          userAgent: null,
          requestId: "",
          scheduledFunctionId: null,
          authToken: c.identity.kind === "user" ? c.identity.token : null,
        };
      case "1.0/runUdf": {
        const kind = args.udfType === "mutation" ? "mutation" : "query";
        if (c.kind === "query" && kind === "mutation")
          throw new Error("Queries can't call mutations (InvalidFunctionCall).");
        const limits = parseTransactionLimits(args.transactionLimits);
        return await c.nested(kind, functionName(args), (args.args ?? {}) as ConvexJSON, limits);
      }
      case "1.0/actions/query":
      case "1.0/actions/mutation":
      case "1.0/actions/action":
        return await this.#fromAction(op, args);
      case "1.0/actions/vectorSearch": {
        if (c.kind !== "action" || !c.engine.vectorSearch)
          throw new Error("ctx.vectorSearch is only available in actions.");
        const req = args.query as unknown as VectorSearchRequest;
        // A component's action names its own table, as its queries do (`#scoped`).
        return await c.engine.vectorSearch({ ...req, indexName: this.#ns.toStorage(String(req.indexName)) });
      }
      case "1.0/createFunctionHandle":
        return c.createHandle ? c.createHandle(functionName(args)) : `function://${functionName(args)}`;
      case "1.0/schedule":
      case "1.0/cancel_job":
      case "1.0/actions/schedule":
      case "1.0/actions/cancel_job":
        // Stored as an engine address, so a component schedules its own (or its children's) functions.
        return await schedulerSyscall(op, args, {
          kind: c.kind,
          tx: c.tx,
          engine: c.engine,
          functionName: (a) => this.engineAddress(a),
        });
      default:
        if (isStorageSyscall(op)) return await storageSyscall(this.#storage(), op, args);
        if (op.includes("vectorSearch")) throw new Error(`${op} is not supported by this Tandem version yet.`);
        throw new Error(`Unknown async operation ${op}`);
    }
  }

  /**
   * The function `args` names, as a path the engine resolves from the app: a component's own
   * functions and its children's travel as function handles. Whatever hands a path to the
   * engine for later (actions' calls, scheduled functions) should store this form.
   */
  engineAddress(args: Record<string, ConvexJSON>): string {
    const name = functionName(args);
    const c = this.#c;
    return c.createHandle && (this.#ns.componentPath !== "" || isComponentAddress(name)) ? c.createHandle(name) : name;
  }

  async #fromAction(op: string, args: Record<string, ConvexJSON>): Promise<unknown> {
    const c = this.#c;
    if (c.kind !== "action") throw new Error(`Unknown async operation ${op}`);
    const req = {
      path: this.engineAddress(args),
      args: (args.args ?? {}) as ConvexJSON,
      identity: c.identity,
      allowInternal: true,
    };
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
    // `_reference/childComponent/...`: resolved relative to the caller (components/addresses.ts).
    if (args.reference.startsWith("_reference/childComponent/")) return args.reference;
    throw badRequest("InvalidFunctionCall", `Unsupported function reference: ${args.reference.slice(0, 200)}`);
  }
  if (typeof args.functionHandle === "string") return args.functionHandle;
  throw badRequest("InvalidFunctionCall", "Missing function name");
}

function isSystemQuery(query: ConvexJSON | undefined): boolean {
  const src = (query as { source?: { tableName?: string; indexName?: string } } | null)?.source;
  const name = src?.tableName ?? src?.indexName ?? "";
  return name.startsWith("_");
}

export type { DocumentJSON };
