/**
 * Runs one query or mutation body inside the deployment's shared realm (one execution at a time)
 * and one action inside a fresh realm, with the syscall table wired to its transaction.
 */
import { newRequestId, newSeed } from "./random-pool.js";
import type { ConvexJSON } from "@tandem/storage";
import type { Transaction } from "../transactions/transaction.js";
import { ExecutionSyscalls, type EngineCallbacks } from "../runtime/syscalls.js";
import { runExport, runExportText } from "../runtime/invoke.js";
import { textOutcome } from "./text-outcome.js";
import { LogCollector } from "../runtime/realm.js";
import type { LoadedDeployment, ResolvedFunction } from "../runtime/loaded-deployment.js";
import type { Realm } from "../runtime/realm.js";
import type { ModuleGraph } from "../runtime/module-loader.js";
import { tableNamespace } from "../components/types.js";
import { functionHandle } from "../components/addresses.js";
import { instanceEnv } from "../components/env.js";
import type { DocumentCheck } from "../runtime/db-ops.js";
import { displayPath, type FunctionPath } from "../runtime/paths.js";
import { toFunctionError } from "../runtime/function-error.js";
import type { FunctionError, FunctionKind, Identity } from "./types.js";
import type { FileAccess } from "../files/index.js";
import type { DeploymentSigningKey } from "../auth/deployment-jwt.js";

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
  /** The component instance the function belongs to (`""`, the default, is the app). */
  readonly component?: string;
  /** Keep every value as its text, small ones too (function threads send it on as text). */
  readonly keepText?: boolean;
  /** Validates a nested call's arguments and returns its function; `caller` is the calling instance. */
  readonly resolveNested: (kind: FunctionKind, path: string, args: ConvexJSON, caller: string) => ResolvedFunction;
  /** What `ctx.auth.signJwt` signs with (absent: mutations cannot sign). */
  readonly signingKey?: DeploymentSigningKey | null;
}

export type RunOutput =
  /** `json`: the value as the function's text, when kept (engine/text-outcome.ts). */
  | { ok: true; value: ConvexJSON; logLines: string[]; journal: string | null; json?: string }
  | { ok: false; error: FunctionError; logLines: string[]; journal: string | null };

export { newRequestId };

/** Values whose JSON text is at least this long are kept as text (engine/text-outcome.ts). */
export const KEEP_TEXT_FROM = 512;

export async function runFunction(input: RunInput): Promise<RunOutput> {
  const logs = new LogCollector();
  const journal = { input: input.journal ?? null, output: null as string | null, paginated: false };
  const component = input.component ?? "";
  const { realm, graph } =
    input.kind === "action"
      ? input.deployment.actionRealm(input.path.module, component)
      : input.deployment.udfRealm(component);
  // Only an action's code receives it (`invokeAction`).
  const requestId = input.kind === "action" ? newRequestId() : "";
  const nowMs = input.tx ? input.tx.beginMs : Date.now();
  // A component sees only the variables its parent bound for it (components/env.ts).
  const envOf = (name: string) =>
    name === "" ? input.env : instanceEnv(input.deployment.deployment.analysis.components, name, input.env);
  /**
   * Instances this execution has entered: a call into another instance runs in that instance's
   * realm with its own syscalls (its tables), shared by every call into it until the last returns.
   */
  const entered = new Map<
    string,
    { syscalls: ExecutionSyscalls; realm: Realm | null; graph: ModuleGraph; depth: number; running: string[] }
  >();
  const intoInstance = async (target: ResolvedFunction, kind: FunctionKind, args: ConvexJSON): Promise<ConvexJSON> => {
    const name = target.component ?? "";
    let e = entered.get(name);
    if (!e) {
      const r = input.deployment.udfRealm(name);
      const running: string[] = [];
      e = { syscalls: makeSyscalls(input.kind, running, name), realm: r.realm, graph: r.graph, depth: 0, running };
      entered.set(name, e);
      r.realm.enter({ handler: e.syscalls, logs, nowMs, seed: newSeed(), env: envOf(name) });
    }
    e.depth++;
    // The callee's name while it runs: its syscalls are the instance's, shared with its caller.
    // With two nested calls in flight at once (`Promise.all`), one that asks again after an
    // `await` while the other has started gets the other's name; asking first thing is exact.
    const fn = displayPath(target.path);
    e.running.push(fn);
    try {
      return await runExport(e.realm ?? realm, e.graph, target.path, kind, args, requestId);
    } finally {
      e.running.splice(e.running.lastIndexOf(fn), 1);
      if (--e.depth === 0 && e.realm) {
        e.syscalls.finish();
        // Convex counts a nested call's clock reads as its caller's.
        if (e.realm.observedTime && input.tx) input.tx.observedTime = true;
        e.realm.leave();
        entered.delete(name);
      }
    }
  };
  /** `running`: the instance's calls in progress, innermost last (the one whose code is running). */
  function makeSyscalls(kind: FunctionKind, running: readonly string[], caller: string): ExecutionSyscalls {
    return new ExecutionSyscalls({
      kind,
      identity: input.identity,
      tx: input.tx,
      get functionName() {
        return running.at(-1) ?? "";
      },
      check: input.check,
      engine: input.engine,
      deploymentName: input.deploymentName,
      files: { access: input.files ?? null, cloudUrl: input.env.CONVEX_CLOUD_URL ?? "" },
      deploymentJwt: input.signingKey ? { key: input.signingKey, cloudUrl: input.env.CONVEX_CLOUD_URL ?? "" } : null,
      // A subscription's journal belongs to the function it subscribed to; pages read by other
      // instances' code are plain cursor pages.
      journal: caller === component ? journal : { input: null, output: null, paginated: false },
      namespace: tableNamespace(caller),
      createHandle: (p) => {
        const target = input.deployment.resolveCall(p, caller, input.deployment.kindOfCall(p, caller));
        return functionHandle(target.component ?? "", displayPath(target.path));
      },
      nested: async (nestedKind, nestedPath, nestedArgs, limits) => {
        const target = input.resolveNested(nestedKind, nestedPath, nestedArgs, caller);
        const rollback = nestedKind === "mutation" ? input.tx?.savepoint() : undefined;
        const call = () => intoInstance(target, nestedKind, nestedArgs);
        try {
          return await (limits && input.tx ? input.tx.metrics.withLimits(limits, call) : call());
        } catch (e) {
          rollback?.();
          throw e;
        }
      },
    });
  }
  const running = [displayPath(input.path)];
  const syscalls = makeSyscalls(input.kind, running, component);
  // The instance the function runs in is entered for its whole run (it is left below).
  entered.set(component, { syscalls, realm: null, graph, depth: 1, running });
  realm.enter({
    handler: syscalls,
    logs,
    nowMs,
    seed: newSeed(),
    env: envOf(component),
  });
  try {
    const json = await runExportText(realm, graph, input.path, input.kind, input.args, requestId);
    syscalls.finish();
    // Small values (a mutation's id) cost less parsed here than kept as text through the layers.
    return json.length >= KEEP_TEXT_FROM || input.keepText
      ? textOutcome(json, { logLines: logs.lines, journal: journal.output })
      : { ok: true, value: JSON.parse(json) as ConvexJSON, logLines: logs.lines, journal: journal.output };
  } catch (e) {
    syscalls.finish();
    return { ok: false, error: toFunctionError(e), logLines: logs.lines, journal: journal.output };
  } finally {
    if (realm.observedTime && input.tx) input.tx.observedTime = true;
    realm.leave();
  }
}
