/**
 * Runs one query or mutation body inside the deployment's shared realm (one execution at a time)
 * and one action inside a fresh realm, with the syscall table wired to its transaction.
 */
import { newRequestId, newSeed } from "./random-pool.js";
import type { ConvexJSON } from "@tandem/storage";
import type { Transaction } from "../transactions/transaction.js";
import { ExecutionSyscalls, type EngineCallbacks } from "../runtime/syscalls.js";
import { runExport } from "../runtime/invoke.js";
import { LogCollector } from "../runtime/realm.js";
import type { LoadedDeployment } from "../runtime/loaded-deployment.js";
import type { DocumentCheck } from "../runtime/db-ops.js";
import { displayPath, type FunctionPath } from "../runtime/paths.js";
import { toFunctionError } from "../runtime/function-error.js";
import type { FunctionError, FunctionKind, Identity } from "./types.js";
import type { FileAccess } from "../files/index.js";

export interface RunInput {
  readonly deployment: LoadedDeployment;
  readonly path: FunctionPath;
  readonly kind: FunctionKind;
  readonly args: ConvexJSON;
  readonly identity: Identity;
  readonly tx: Transaction | null;
  readonly env: Readonly<Record<string, string>>;
  readonly check: DocumentCheck;
  readonly engine: EngineCallbacks;
  readonly deploymentName: string;
  readonly journal?: string | null;
  /** File storage for queries and mutations (actions reach it through `engine.storage`). */
  readonly files?: FileAccess | null;
  /** Validates a nested call's arguments and returns its function. */
  readonly resolveNested: (kind: FunctionKind, path: string, args: ConvexJSON) => FunctionPath;
}

export type RunOutput =
  | { ok: true; value: ConvexJSON; logLines: string[]; journal: string | null }
  | { ok: false; error: FunctionError; logLines: string[]; journal: string | null };

export { newRequestId };

export async function runFunction(input: RunInput): Promise<RunOutput> {
  const logs = new LogCollector();
  const journal = { input: input.journal ?? null, output: null as string | null, paginated: false };
  const { realm, graph } = input.kind === "action" ? input.deployment.actionRealm(input.path.module) : input.deployment.udfRealm();
  const requestId = newRequestId();
  const makeSyscalls = (kind: FunctionKind, path: FunctionPath): ExecutionSyscalls =>
    new ExecutionSyscalls({
      kind,
      identity: input.identity,
      tx: input.tx,
      functionName: displayPath(path),
      check: input.check,
      engine: input.engine,
      deploymentName: input.deploymentName,
      journal,
      files: { access: input.files ?? null, cloudUrl: input.env.CONVEX_CLOUD_URL ?? "" },
      nested: async (nestedKind, nestedPath, nestedArgs, limits) => {
        const target = input.resolveNested(nestedKind, nestedPath, nestedArgs);
        const rollback = nestedKind === "mutation" ? input.tx?.savepoint() : undefined;
        const call = () => runExport(realm, graph, target, nestedKind, nestedArgs, requestId);
        try {
          return await (limits && input.tx ? input.tx.metrics.withLimits(limits, call) : call());
        } catch (e) {
          rollback?.();
          throw e;
        }
      },
    });
  const syscalls = makeSyscalls(input.kind, input.path);
  realm.enter({
    handler: syscalls,
    logs,
    nowMs: input.tx ? input.tx.beginMs : Date.now(),
    seed: newSeed(),
    env: input.env,
  });
  try {
    const value = await runExport(realm, graph, input.path, input.kind, input.args, requestId);
    syscalls.finish();
    return { ok: true, value, logLines: logs.lines, journal: journal.output };
  } catch (e) {
    syscalls.finish();
    return { ok: false, error: toFunctionError(e), logLines: logs.lines, journal: journal.output };
  } finally {
    realm.leave();
  }
}
