/**
 * The engine as clients reach it (HTTP, sync, HTTP actions), with every function call counted in
 * flight, so a drain waits for mutations already started (docs/operations.md#graceful-drain).
 */
import type { TandemEngine } from "../engine/index.js";
import type { Lifecycle } from "./lifecycle.js";

const TRACKED = new Set<PropertyKey>(["runQuery", "runMutation", "runAction"]);

export function trackedEngine(engine: TandemEngine, lifecycle: Lifecycle): TandemEngine {
  return new Proxy(engine, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (!TRACKED.has(prop)) return value.bind(target);
      return (...args: unknown[]) => lifecycle.trackCall(Promise.resolve((value as (...a: unknown[]) => unknown).apply(target, args)));
    },
  });
}
