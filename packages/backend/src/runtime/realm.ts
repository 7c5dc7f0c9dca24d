/**
 * A realm is a `vm` context in which pushed modules are evaluated: its own globals, a `Convex`
 * syscall object that dispatches to the execution currently running in it, and switches that
 * make `Date`, `Math.random`, `fetch` and timers behave as Convex promises for queries and
 * mutations (fixed time, seeded randomness, no I/O) or as plain Node for actions.
 */
import vm from "node:vm";
import { webcrypto } from "node:crypto";
import { LogCollector, makeConsole } from "./console.js";
import { ConvexResponse } from "./response.js";
import "./uint8array-base64.js";

export type RealmMode = "udf" | "action";

/** What the bundled `convex/server` calls (docs/architecture.md#the-convex-global). */
export interface SyscallHandler {
  syscall(op: string, jsonArgs: string): string;
  /** A string is an answer at hand: the realm hands user code a promise of its own, already settled. */
  asyncSyscall(op: string, jsonArgs: string): Promise<string> | string;
  jsSyscall(op: string, args: Record<string, unknown>): unknown;
}

/** Per-execution settings installed before a function runs. */
export interface ExecutionEnv {
  readonly handler: SyscallHandler;
  readonly logs: LogCollector;
  /** Fixed `Date.now()` for queries and mutations. */
  readonly nowMs: number;
  readonly seed: number;
  readonly env: Readonly<Record<string, string>>;
}

/** Web globals Node has that its type declarations do not name. */
const webGlobals = globalThis as unknown as Record<"CryptoKey" | "Crypto" | "SubtleCrypto", unknown>;

const forbidden = (what: string) =>
  new Error(
    `Can't use ${what} in queries and mutations. Please consider using an action. See https://docs.convex.dev/functions/actions for more details.`,
  );

/** Code run inside each new context: deterministic Date and Math.random, controlled from outside. */
const PRELUDE = `(() => {
  const RealDate = Date;
  const state = { fixed: null, seed: 1, observed: false };
  const now = () => {
    if (state.fixed === null) return RealDate.now();
    state.observed = true;
    return state.fixed;
  };
  function FixedDate(...args) {
    if (!new.target) return new RealDate(now()).toString();
    if (args.length === 0) return Reflect.construct(RealDate, [now()], new.target);
    return Reflect.construct(RealDate, args, new.target);
  }
  FixedDate.prototype = RealDate.prototype;
  Object.defineProperty(RealDate.prototype, "constructor", { value: FixedDate, writable: true, configurable: true });
  FixedDate.now = now;
  FixedDate.parse = RealDate.parse;
  FixedDate.UTC = RealDate.UTC;
  globalThis.Date = FixedDate;
  const realRandom = Math.random;
  // mulberry32: small, fast, and good enough for a per-execution seeded stream.
  Math.random = () => {
    if (state.fixed === null) return realRandom();
    let t = (state.seed = (state.seed + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return state;
})()`;

const CALL_SCRIPT = new vm.Script(
  "(() => { const c = globalThis.__tandemCall; return c.target[c.method](...c.args); })()",
  {
    filename: "tandem:call",
  },
);

/**
 * Globals a module's wrapper takes as parameters (`run`). A global read in a `vm` context goes
 * through the context's interceptor (a call into C++ that checks the sandbox object first), which
 * V8 cannot cache: the bundled `convex/server` reads `Object`, `JSON`, `Number`, `Convex`
 * and friends for every field of every document it converts, and spent several times its own
 * work on these lookups. As parameters they are plain closure reads. Each module sees the value
 * its global had when the module was evaluated (a module that replaces one of these globals
 * later is not seen by code already loaded; none of the listed ones is meant to be replaced).
 */
const BOUND_GLOBALS = [
  "undefined",
  "NaN",
  "Infinity",
  "globalThis",
  "Object",
  "Array",
  "JSON",
  "Number",
  "String",
  "Boolean",
  "Symbol",
  "BigInt",
  "Math",
  "Reflect",
  "Proxy",
  "Promise",
  "Error",
  "TypeError",
  "RangeError",
  "SyntaxError",
  "Map",
  "Set",
  "WeakMap",
  "WeakSet",
  "RegExp",
  "Date",
  "parseInt",
  "parseFloat",
  "isNaN",
  "isFinite",
  "encodeURIComponent",
  "decodeURIComponent",
  "ArrayBuffer",
  "DataView",
  "Uint8Array",
  "TextEncoder",
  "TextDecoder",
  "Convex",
] as const;

export function timeLimitMessage(limitMs: number): string {
  return `Function execution timed out (maximum duration: ${limitMs / 1000}s). See https://docs.convex.dev/production/state/limits`;
}

export class Realm {
  /** Set when an execution was cut off by the time limit. */
  poisoned = false;
  readonly context: vm.Context;
  readonly mode: RealmMode;
  #current: ExecutionEnv | null = null;
  #clock: { fixed: number | null; seed: number; observed: boolean };
  /** The context's global object (its intrinsics, not the host's). */
  readonly #global: Record<string, unknown>;
  readonly #processEnv: Record<string, string | undefined> = {};

  constructor(mode: RealmMode) {
    this.mode = mode;
    const self = this;
    const current = () => self.#current;
    const needCurrent = () => {
      const c = self.#current;
      if (!c) throw new Error("The Convex database and auth objects are being used outside of a Convex function.");
      return c;
    };
    const udfOnly = mode === "udf";
    // Set below to the context's own `Promise.resolve`: `await` takes such a promise as is, while
    // a host promise costs the awaiting code a `then` job more.
    let settled = (v: string): Promise<string> => Promise.resolve(v);
    const sandbox: Record<string, unknown> = {
      console: makeConsole(() => current()?.logs ?? null),
      Convex: {
        syscall: (op: string, a: string) => needCurrent().handler.syscall(op, a),
        asyncSyscall: (op: string, a: string) => {
          const r = needCurrent().handler.asyncSyscall(op, a);
          return typeof r === "string" ? settled(r) : r;
        },
        jsSyscall: (op: string, a: Record<string, unknown>) => needCurrent().handler.jsSyscall(op, a),
      },
      // Actions (and `"use node"` modules) also get the Node globals apps commonly use.
      process: udfOnly
        ? { env: this.#processEnv }
        : {
            env: this.#processEnv,
            version: process.version,
            versions: process.versions,
            platform: process.platform,
            arch: process.arch,
            nextTick: process.nextTick,
            cwd: () => "/",
          },
      ...(udfOnly ? {} : { Buffer, setImmediate, clearImmediate }),
      // Binary data is the host's: TextEncoder, Buffer, Blob, Response and crypto.subtle hand
      // back host typed arrays, which bundled libraries check with `instanceof Uint8Array`
      // (jose's signing refuses the payload otherwise). One set of constructors on both sides.
      ArrayBuffer,
      DataView,
      Uint8Array,
      Uint8ClampedArray,
      Int8Array,
      Uint16Array,
      Int16Array,
      Uint32Array,
      Int32Array,
      Float32Array,
      Float64Array,
      BigInt64Array,
      BigUint64Array,
      URL,
      URLSearchParams,
      TextEncoder,
      TextDecoder,
      atob,
      btoa,
      structuredClone,
      Blob,
      Headers,
      Request,
      Response: ConvexResponse,
      FormData,
      AbortController,
      AbortSignal,
      Event,
      EventTarget,
      DOMException,
      // The stream classes Convex's runtime defines: `ai`'s providers parse server-sent events
      // with `pipeThrough(new TextDecoderStream())`.
      ReadableStream,
      ReadableStreamDefaultReader,
      ReadableStreamBYOBReader,
      WritableStream,
      WritableStreamDefaultWriter,
      TransformStream,
      TextDecoderStream,
      TextEncoderStream,
      performance: { now: () => performance.now(), timeOrigin: performance.timeOrigin },
      queueMicrotask,
      // Convex's default runtime offers the Web Crypto API in queries and mutations too
      // (`@convex-dev/auth` salts passwords and makes codes in mutations); Node's generator is
      // strong, which a 32-bit `Math.random` seed is not.
      crypto: webcrypto,
      // jose tells keys apart with `instanceof CryptoKey`.
      CryptoKey: webGlobals.CryptoKey,
      Crypto: webGlobals.Crypto,
      SubtleCrypto: webGlobals.SubtleCrypto,
      fetch: udfOnly
        ? () => {
            throw forbidden("fetch()");
          }
        : fetch,
      setTimeout: udfOnly
        ? () => {
            throw forbidden("setTimeout");
          }
        : setTimeout,
      setInterval: udfOnly
        ? () => {
            throw forbidden("setInterval");
          }
        : setInterval,
      clearTimeout: udfOnly ? () => {} : clearTimeout,
      clearInterval: udfOnly ? () => {} : clearInterval,
    };
    if (typeof File !== "undefined") sandbox.File = File;
    this.context = vm.createContext(sandbox, { name: `tandem-${mode}`, codeGeneration: { strings: true, wasm: true } });
    vm.runInContext("globalThis.self = globalThis; globalThis.global = globalThis;", this.context);
    this.#clock = vm.runInContext(PRELUDE, this.context) as { fixed: number | null; seed: number; observed: boolean };
    this.#global = vm.runInContext("globalThis", this.context) as Record<string, unknown>;
    settled = vm.runInContext("((P) => (v) => P.resolve(v))(Promise)", this.context) as typeof settled;
  }

  /** Installs an execution; queries and mutations run one at a time per realm. */
  enter(exec: ExecutionEnv): void {
    this.#current = exec;
    if (this.mode === "udf") {
      this.#clock.fixed = exec.nowMs;
      this.#clock.seed = exec.seed | 0;
      this.#clock.observed = false;
    }
    for (const k of Object.keys(this.#processEnv)) delete this.#processEnv[k];
    Object.assign(this.#processEnv, exec.env);
  }

  leave(): void {
    this.#current = null;
    this.#clock.fixed = null;
  }

  /** The execution in it read the clock (a query or mutation; read before `leave`). */
  get observedTime(): boolean {
    return this.#clock.observed;
  }

  get busy(): boolean {
    return this.#current !== null;
  }

  /**
   * Calls `target[method](...args)` inside the realm with a limit on its synchronous part, so a
   * function that loops before its first `await` is stopped with a clear error.
   */
  callWithTimeout(target: object, method: string, args: unknown[], timeoutMs: number): unknown {
    const ctx = this.context as Record<string, unknown>;
    ctx.__tandemCall = { target, method, args };
    try {
      return CALL_SCRIPT.runInContext(this.context, { timeout: timeoutMs });
    } catch (e) {
      if ((e as { code?: string }).code === "ERR_SCRIPT_EXECUTION_TIMEOUT") {
        // Cut off mid-execution: module state may be half-updated, so this realm is retired.
        this.poisoned = true;
        throw new Error(timeLimitMessage(timeoutMs));
      }
      throw e;
    } finally {
      delete ctx.__tandemCall;
    }
  }

  /** `code` is a function expression (the module wrapper); it is returned with the realm's globals bound. */
  run(code: string, filename: string): unknown {
    const global = this.#global;
    const names = BOUND_GLOBALS.filter((n) => n in global);
    const withGlobals = new vm.Script(`(function (${names.join(", ")}) { return ${code}; })`, {
      filename,
    }).runInContext(this.context) as (...values: unknown[]) => unknown;
    return withGlobals(...names.map((n) => global[n]));
  }
}

export { LogCollector };
