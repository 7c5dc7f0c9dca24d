/** Messages between the engine (main thread) and a function worker. */
import type { ConvexJSON, PreparedCommit, StorageDescriptor, TableInfo, Timestamp } from "@tandem/storage";
import type { DoneWire } from "./job-wire.js";
import type { Deployment } from "../../engine/deployment.js";
import type { FunctionError, Identity } from "../../engine/types.js";
import type { FunctionPath } from "../paths.js";
import type { FilesThreadConfig } from "../../files/index.js";
import type { DeploymentSigningKey } from "../../auth/deployment-jwt.js";

export interface WorkerData {
  /** The store the thread opens its own read-only connection to. */
  readonly storage: StorageDescriptor;
  readonly deploymentName: string;
  /** Where function threads find stored files and how they sign upload URLs. */
  readonly files?: FilesThreadConfig;
  /** The deployment's key for `ctx.auth.signJwt`. */
  readonly signingKey: DeploymentSigningKey | null;
}

export interface RunJob {
  readonly kind: "query" | "mutation";
  readonly path: FunctionPath;
  readonly args: ConvexJSON;
  readonly identity: Identity;
  readonly ts: Timestamp;
  readonly beginMs: number;
  readonly journal: string | null;
  /** Bumped by the engine whenever tables or indexes change, so the worker reloads its catalog. */
  readonly catalogVersion: number;
  /** Component instance of the function (`""` or absent: the app). */
  readonly component?: string;
}

export type ToWorker =
  | { readonly type: "deploy"; readonly deployment: Deployment }
  | { readonly type: "env"; readonly env: Readonly<Record<string, string>> }
  /** Jobs are sent in batches: one message per thread per event-loop turn (`jobs`: job-wire.ts). */
  | { readonly type: "run"; readonly ids: readonly number[]; readonly jobs: readonly string[] }
  /** Documents a commit wrote into a table with search indexes (sent before any job that reads it). */
  | { readonly type: "searchDirty"; readonly table: string; readonly ids: readonly string[] }
  | { readonly type: "reply"; readonly id: number; readonly ok: true; readonly value: TableInfo }
  | { readonly type: "reply"; readonly id: number; readonly ok: false; readonly message: string };

export type JobOutcome =
  | { readonly ok: true; readonly value: ConvexJSON; readonly logLines: string[]; readonly journal: string | null }
  /** The value as JSON text (the main thread parses it only if it needs it: engine/text-outcome.ts). */
  | { readonly ok: true; readonly json: string; readonly logLines: string[]; readonly journal: string | null }
  | { readonly ok: false; readonly error: FunctionError; readonly logLines: string[]; readonly journal: string | null };

/** What a job that wrote nothing (or failed) hands to the commit. */
export const NO_PREPARED_WRITES: PreparedCommit = { schemaVersion: -1, writes: [] };

export type FromWorker =
  /** Results in the order the jobs ran, batched while the thread is busy (job-wire.ts). */
  | { readonly type: "done"; readonly items: readonly DoneWire[] }
  | { readonly type: "request"; readonly id: number; readonly method: "ensureTable"; readonly table: string }
  /** Sent after each deployment has been loaded and warmed up (the store is open by then). */
  | { readonly type: "ready" };
