/**
 * Where `"use node"` modules run: Node's own realm, not a `vm` context, so the npm packages they
 * bundle see one set of intrinsics (`instanceof Uint8Array`, `Promise`, `Error` hold for what Node
 * APIs hand them), as on Convex's Node runtime. What differs per execution reaches a module
 * through its wrapper's parameters, which shadow the globals of the same name: `Convex` (the
 * bundled `convex/server` calls it by that bare name), `process` (its `env` is the deployment's
 * variables) and `console` (into the execution's log lines).
 */
import vm from "node:vm";
import { makeConsole } from "./console.js";
import type { ExecutionEnv, RealmMode } from "./realm.js";

/** What module loading and invocation need of a realm, `vm`-based or Node's own. */
export interface FunctionRealm {
  readonly mode: RealmMode | "node";
  poisoned: boolean;
  enter(exec: ExecutionEnv): void;
  leave(): void;
  /** The execution read the fixed clock of a query or mutation (read before `leave`). */
  readonly observedTime: boolean;
  run(code: string, filename: string): unknown;
  callWithTimeout(target: object, method: string, args: unknown[], timeoutMs: number): unknown;
}

const refuseExit = () => {
  throw new Error("process.exit() is not available inside Convex functions.");
};
const noop = () => {};

export class NodeRealm implements FunctionRealm {
  readonly mode = "node" as const;
  /** Actions' clock is the real one: nothing of theirs is cached. */
  readonly observedTime = false;
  poisoned = false;
  #current: ExecutionEnv | null = null;
  readonly #env: Record<string, string | undefined> = {};
  readonly #scope: readonly [convex: object, process: object, console: object];

  constructor() {
    const need = () => {
      const c = this.#current;
      if (!c) throw new Error("The Convex database and auth objects are being used outside of a Convex function.");
      return c;
    };
    const env = this.#env;
    const logs = makeConsole(() => this.#current?.logs ?? null);
    this.#scope = [
      {
        syscall: (op: string, a: string) => need().handler.syscall(op, a),
        asyncSyscall: (op: string, a: string) => {
          const r = need().handler.asyncSyscall(op, a);
          return typeof r === "string" ? Promise.resolve(r) : r;
        },
        jsSyscall: (op: string, a: Record<string, unknown>) => need().handler.jsSyscall(op, a),
      },
      new Proxy(process, {
        get(target, prop) {
          if (prop === "env") return env;
          if (prop === "exit" || prop === "abort" || prop === "reallyExit") return refuseExit;
          return Reflect.get(target, prop, target);
        },
      }),
      // console methods the log collector does not know (table, group, dir, ...) do nothing.
      new Proxy(logs, { get: (t, prop) => (typeof prop === "string" && prop in t ? t[prop] : noop) }),
    ];
  }

  enter(exec: ExecutionEnv): void {
    this.#current = exec;
    for (const k of Object.keys(this.#env)) delete this.#env[k];
    Object.assign(this.#env, exec.env);
  }

  leave(): void {
    this.#current = null;
  }

  /** `code` is a function expression (the module wrapper); it is returned with this realm's scope. */
  run(code: string, filename: string): unknown {
    const withScope = vm.runInThisContext(`(function (Convex, process, console) { return ${code}; })`, {
      filename,
    }) as (...scope: readonly object[]) => unknown;
    return withScope(...this.#scope);
  }

  /** No synchronous limit here: actions have only the wall-clock limit their pool enforces. */
  callWithTimeout(target: object, method: string, args: unknown[]): unknown {
    return (target as Record<string, (...a: unknown[]) => unknown>)[method]!(...args);
  }
}
