/**
 * The engine as clients reach it (HTTP, sync, HTTP actions), with every function call counted in
 * flight, so a drain waits for mutations already started (docs/operations.md#graceful-drain).
 */
import type { TandemEngine } from "../engine/index.js";
import type { Lifecycle } from "./lifecycle.js";

/** The engine with its three entry points counted; every other member is the engine's own (prototype lookup, no per-call wrapping). */
export function trackedEngine(engine: TandemEngine, lifecycle: Lifecycle): TandemEngine {
  const tracked = Object.create(engine) as TandemEngine;
  tracked.runQuery = (req) => lifecycle.trackCall(engine.runQuery(req));
  tracked.runMutation = (req) => lifecycle.trackCall(engine.runMutation(req));
  tracked.runAction = (req) => lifecycle.trackCall(engine.runAction(req));
  return tracked;
}
