/**
 * The engine contract: what the HTTP API, the sync protocol and the push API ask of the
 * function runtime + transaction layer. Everything on the wire is Convex JSON.
 */
import type { ConvexJSON, KeyRange, Timestamp } from "@tandem/storage";

/** `UserIdentity` as `ctx.auth.getUserIdentity()` returns it (docs/auth.md#user-identity). */
export type UserIdentityAttributes = {
  tokenIdentifier: string;
  issuer: string;
  subject: string;
} & { [claim: string]: ConvexJSON };

/** Who runs a function. */
export type Identity =
  | { readonly kind: "none" }
  | { readonly kind: "admin" }
  | { readonly kind: "impersonated"; readonly attributes: UserIdentityAttributes }
  | {
      readonly kind: "user";
      readonly attributes: UserIdentityAttributes;
      /** ms since epoch at which the token expires (`exp * 1000`). */
      readonly expiresAt: number | null;
      readonly token: string;
    };

import type { FunctionKind } from "./deployment.js";
export type { FunctionKind };

/** Canonical udf path: `messages.js:list` (module path with `.js`, then `:export`). */
export type CanonicalPath = string;

export interface LogLine {
  readonly level: "LOG" | "DEBUG" | "INFO" | "WARN" | "ERROR";
  readonly text: string;
}

/** A function failure as the clients see it. */
export interface FunctionError {
  /** `Uncaught Error: boom\n    at …` (without the `[Request ID: …] Server Error` prefix). */
  readonly message: string;
  /** Present only when the function threw a `ConvexError`. */
  readonly data?: ConvexJSON;
}

export type Outcome<T> =
  | { readonly ok: true; readonly value: T; readonly logLines: readonly string[] }
  | { readonly ok: false; readonly error: FunctionError; readonly logLines: readonly string[] };

export interface QueryRequest {
  /** As the client sent it (`messages:list`, `messages`, `dir/x.js:f`); the engine canonicalizes. */
  readonly path: string;
  /** The argument object (Convex JSON), not the `[args]` array. */
  readonly args: ConvexJSON;
  readonly identity: Identity;
  /** Snapshot to read at; latest when absent. */
  readonly ts?: Timestamp;
  /**
   * Without `ts`: on a database other nodes share, read at the database's head rather than at the
   * last commit this node has followed, so a client that saw a mutation's result through another
   * node sees its effects here too (HTTP queries behind a load balancer). One head read.
   */
  readonly fresh?: boolean;
  /** Query journal from a previous execution of the same subscription (pagination). */
  readonly journal?: string | null;
  /** Admin callers may run internal functions. */
  readonly allowInternal?: boolean;
}

export type QueryResult = Outcome<ConvexJSON> & {
  readonly ts: Timestamp;
  /** Index ranges read, including ranges consumed by `take`/`first`/pagination. */
  readonly readSet: readonly KeyRange[];
  readonly journal: string | null;
};

export interface MutationRequest {
  readonly path: string;
  readonly args: ConvexJSON;
  readonly identity: Identity;
  readonly allowInternal?: boolean;
  /** De-duplication key of the sync protocol: a success is recorded in the same transaction. */
  readonly idempotencyKey?: {
    readonly sessionId: string;
    readonly requestId: number;
    /** The client cannot have sent this request before (its session's first socket): no record to look up. */
    readonly firstSend?: boolean;
  };
  /**
   * Server-internal (the scheduler): sees a successful run's transaction before it commits and
   * returns it with writes and reads added (so they commit atomically with it), or "abort" to
   * commit nothing (the result is then a failure).
   */
  readonly amendCommit?: (
    tx: import("./committer.js").ExecutedTransaction,
  ) => Promise<import("./committer.js").ExecutedTransaction | "abort">;
}

/** `ts` is the commit timestamp (for a failure: none). */
export type MutationResult = Outcome<ConvexJSON> & { readonly ts: Timestamp | null };

export interface ActionRequest {
  readonly path: string;
  readonly args: ConvexJSON;
  readonly identity: Identity;
  readonly allowInternal?: boolean;
}

export type ActionResult = Outcome<ConvexJSON>;

/** What a commit changed, for subscriptions: every (index, key) point that was written. */
export interface CommitNotice {
  readonly ts: Timestamp;
  readonly writes: ReadonlyArray<{ readonly index: number; readonly key: Uint8Array }>;
  /** Code or environment variables changed: every query result may differ. */
  readonly all?: true;
}

export interface Engine {
  latestTs(): Timestamp;
  runQuery(req: QueryRequest): Promise<QueryResult>;
  runMutation(req: MutationRequest): Promise<MutationResult>;
  runAction(req: ActionRequest): Promise<ActionResult>;
  /** Called after every commit, in timestamp order. Returns an unsubscribe function. */
  onCommit(listener: (notice: CommitNotice) => void): () => void;
}

/** One finished execution, for `npx convex dev` log streaming (docs/push-api.md#logs). */
export interface ExecutionLog {
  readonly kind: FunctionKind | "httpAction";
  /** `messages:list` (no `.js`). */
  readonly identifier: string;
  /** Seconds since epoch (float) when it finished. */
  readonly timestamp: number;
  readonly executionTimeSeconds: number;
  readonly logLines: readonly string[];
  readonly error: string | null;
  /** A query answered with a kept result (engine/query-cache.ts): nothing ran. */
  readonly cached?: true;
}

/** The operator side of the engine, used by push/ and the server wiring. */
export interface EngineAdmin {
  /** Imports the modules in a sandbox (no database) and reports what they export. */
  analyze(
    modules: readonly import("./deployment.js").ModuleSource[],
    env: Readonly<Record<string, string>>,
    /** Where `"use node"` modules find the packages the CLI left external. */
    nodePackages?: import("./deployment.js").NodePackages | null,
  ): Promise<import("./deployment.js").Analysis>;
  /** Makes a deployment live for every execution that starts after this resolves. */
  deploy(deployment: import("./deployment.js").Deployment): Promise<void>;
  current(): import("./deployment.js").Deployment | null;
  /** Deployment environment variables, visible as `process.env` inside functions. */
  setEnvironment(vars: Readonly<Record<string, string>>): void;
  onExecution(listener: (log: ExecutionLog) => void): () => void;
  /**
   * Writes the server makes itself (snapshot import) as one commit, in order with mutations:
   * recorded for conflict checks and announced to subscriptions like any other commit.
   */
  commitExternal(request: import("@tandem/storage").CommitRequest): Promise<import("@tandem/storage").CommitResult>;
  /** Tables or indexes changed outside the engine: function threads reload their catalog. */
  catalogChanged(): void;
  close(): Promise<void>;
}

/**
 * How a system function reads: at the query's snapshot, recording the index ranges it read, so a
 * subscription to it is re-run by a commit into them like a subscription to a user query.
 * Mutations and actions read the latest snapshot and record nothing.
 */
export interface SystemReads {
  readonly snapshot: import("@tandem/storage").SnapshotReader;
  record(range: import("@tandem/storage").KeyRange): void;
}

/** A function implemented by the server itself (`_system/cli/...`), callable only by admins. */
export interface SystemFunction {
  readonly kind: FunctionKind;
  readonly handler: (
    args: ConvexJSON,
    context: { readonly identity: Identity; readonly reads: SystemReads },
  ) => Promise<ConvexJSON>;
}

export interface SystemFunctionRegistry {
  /** `path` as clients send it, e.g. `_system/cli/queryEnvironmentVariables` or `…:get`. */
  registerSystemFunction(path: string, fn: SystemFunction): void;
}
