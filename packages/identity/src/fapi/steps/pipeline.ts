/**
 * Frontend API endpoints as visible pipelines: each route lists its small steps (rate limits,
 * loading the client's own record, status preconditions) before the endpoint that does the work,
 *   .add("POST", "/v1/client/sign_ins/:id/attempt_first_factor",
 *        [rateLimitIp, loadSignIn, requireStatus("needs_first_factor"), rateLimitIdentifier], attemptFirstFactor)
 * Steps run in order; the first that throws answers the request.
 */
import { Router, type Method } from "../../http/router.js";
import type { FapiEnv, FapiHandler, FapiOutcome } from "../outcome.js";

export type Params = Record<string, string>;

/** A step that needs only the request (e.g. a rate limit per IP). */
export interface Guard {
  readonly guard: (env: FapiEnv, params: Params) => void | Promise<void>;
}
/** The step that loads the record the endpoint works on; at most one per route. */
export interface Loader<R> {
  readonly load: (env: FapiEnv, params: Params) => Promise<R>;
}
/** A step that checks the loaded record (runs after the loader). */
export interface Check<R> {
  readonly check: (env: FapiEnv, record: R) => void | Promise<void>;
}
export type Step<R> = Guard | Loader<R> | Check<R>;

/** The endpoint proper; `record` is what the route's loader loaded (`undefined` without one). */
export type Endpoint<R> = (env: FapiEnv, record: R, params: Params) => Promise<FapiOutcome>;

const isLoader = <R>(s: Step<R>): s is Loader<R> => "load" in s;
const isCheck = <R>(s: Step<R>): s is Check<R> => "check" in s;

/** Composes steps and endpoint into one handler; a malformed list fails at startup, not per request. */
export function pipeline<R>(steps: readonly Step<R>[], endpoint: Endpoint<R>): FapiHandler {
  const loaderAt = steps.findIndex(isLoader);
  if (steps.filter(isLoader).length > 1) throw new Error("a route has at most one loader step");
  if (steps.some((s, i) => isCheck(s) && (loaderAt < 0 || i < loaderAt)))
    throw new Error("a check step must follow the loader");
  return async (env, params) => {
    let record: R | undefined;
    for (const s of steps) {
      if (isLoader(s)) record = await s.load(env, params);
      else if (isCheck(s)) await s.check(env, record as R);
      else await s.guard(env, params);
    }
    return endpoint(env, record as R, params);
  };
}

/** The route table's builder: a `Router` whose handlers are pipelines. */
export class Routes {
  readonly router = new Router<FapiHandler>();

  add<R = undefined>(method: Method, pattern: string, steps: readonly Step<NoInfer<R>>[], endpoint: Endpoint<R>): this {
    this.router.add(method, pattern, pipeline(steps, endpoint));
    return this;
  }
}
