/**
 * Runs one HTTP action inside a fresh action realm, as the Convex runtime does (docs/architecture.md#schema-and-config):
 * the request is routed to the app's `http.js` or a component's mounted at an `httpPrefix`
 * (route.ts), whose default export is asked `lookup(path, method)`, then `runRequest` turns our request
 * into the action's `Request` and its `Response` back through two `jsSyscall`s. Everything else
 * (`ctx.runQuery/runMutation/runAction`, `ctx.auth`, and whatever actions gain later: storage,
 * scheduler) goes through the same syscall table as a plain action.
 */
import type { LoadedDeployment } from "../runtime/loaded-deployment.js";
import { ExecutionSyscalls, type EngineCallbacks } from "../runtime/syscalls.js";
import { LogCollector, type SyscallHandler } from "../runtime/realm.js";
import { toFunctionError } from "../runtime/function-error.js";
import { newSeed } from "../engine/random-pool.js";
import { tableNamespace } from "../components/types.js";
import { functionHandle } from "../components/addresses.js";
import { instanceEnv } from "../components/env.js";
import { displayPath } from "../runtime/paths.js";
import type { HttpActionOutcome, HttpActionRequest } from "./types.js";
import { routeRequest, type RouteLookup } from "./route.js";

export interface RunHttpActionInput {
  readonly deployment: LoadedDeployment;
  readonly request: HttpActionRequest;
  readonly env: Readonly<Record<string, string>>;
  readonly engine: EngineCallbacks;
  readonly deploymentName: string;
}

interface Router {
  isRouter?: unknown;
  lookup?: (path: string, method: string) => unknown;
  runRequest?: (requestJson: string, routedPath: string) => Promise<string>;
}

export const HTTP_MODULE = "http.js";
/** The opaque handle `requestFromConvexJson` receives; the router passes it through unread. */
const REQUEST_HANDLE = "request";

export async function runHttpAction(input: RunHttpActionInput): Promise<HttpActionOutcome> {
  const { deployment, request } = input;
  const logs = new LogCollector();
  const components = deployment.deployment.analysis.components;
  const responses = new Map<string, Response>();
  // Each instance routing passes through gets its own realm, entered with its own syscalls (its
  // tables, its functions, its env): the one that answers runs the action in it.
  const routers = new Map<string, Router | null>();
  const open = (component: string): Router | null => {
    if (routers.has(component)) return routers.get(component)!;
    let router: Router | null = null;
    if (deployment.hasModule(HTTP_MODULE, component)) {
      const { realm, graph } = deployment.actionRealm(undefined, component);
      // The realm is this request's alone and is never left: a streamed response body may still
      // call back into it (ctx.runQuery, console) after the handler returned.
      realm.enter({
        handler: handlerFor(input, component, responses),
        logs,
        nowMs: Date.now(),
        seed: newSeed(),
        env: component === "" ? input.env : instanceEnv(components, component, input.env),
      });
      // A failing `http.js` fails the request (the caller catches it).
      const r = graph.require(HTTP_MODULE).default as Router | undefined;
      if (r && r.isRouter === true && typeof r.lookup === "function" && typeof r.runRequest === "function") router = r;
    }
    routers.set(component, router);
    return router;
  };
  try {
    const routed = routeRequest(
      components,
      new URL(request.url).pathname,
      request.method,
      (c) => open(c) as RouteLookup | null,
    );
    const router = routed ? open(routed.component) : null;
    if (!routed || !router?.lookup?.(routed.path, request.method) || typeof router.runRequest !== "function")
      return { kind: "notFound", logLines: logs.lines };
    const text = await router.runRequest(JSON.stringify({ handle: REQUEST_HANDLE }), routed.path);
    const handle = (JSON.parse(text) as { handle?: unknown }).handle;
    const response = typeof handle === "string" ? responses.get(handle) : undefined;
    if (!response || typeof response.status !== "number")
      throw new Error("The HTTP action did not return a Response object.");
    return {
      kind: "response",
      status: response.status,
      statusText: response.statusText,
      headers: headerPairs(response.headers),
      body: response.body,
      logLines: logs.lines,
    };
  } catch (e) {
    return { kind: "error", error: toFunctionError(e), logLines: logs.lines };
  }
}

/** The syscalls of an HTTP action running in instance `component` (`""`: the app). */
function handlerFor(input: RunHttpActionInput, component: string, responses: Map<string, Response>): SyscallHandler {
  const { deployment, request } = input;
  const base = new ExecutionSyscalls({
    kind: "action",
    identity: request.identity,
    tx: null,
    functionName: HTTP_MODULE,
    check: () => {},
    engine: input.engine,
    deploymentName: input.deploymentName,
    journal: { input: null, output: null, paginated: false },
    nested: () => Promise.reject(new Error("HTTP actions have no database: use ctx.runQuery or ctx.runMutation.")),
    // A component's action names its own functions: they reach the engine as handles.
    ...(component === ""
      ? {}
      : {
          namespace: tableNamespace(component),
          createHandle: (p: string) => {
            const target = deployment.resolveCall(p, component, deployment.kindOfCall(p, component));
            return functionHandle(target.component ?? "", displayPath(target.path));
          },
        }),
  });
  return {
    syscall: (op, args) => base.syscall(op, args),
    asyncSyscall: (op, args) =>
      op === "1.0/getUserIdentity" && request.authError !== null
        ? Promise.reject(new Error(request.authError))
        : base.asyncSyscall(op, args),
    jsSyscall: (op, args) => {
      switch (op) {
        case "requestFromConvexJson":
          return new Request(request.url, {
            method: request.method,
            headers: request.headers as [string, string][],
            ...(request.body ? { body: request.body, duplex: "half" } : {}),
          } as RequestInit);
        case "convexJsonFromResponse": {
          const handle = `response${responses.size}`;
          responses.set(handle, args.response as Response);
          return { handle };
        }
        default:
          // Storage blobs and the like are action syscalls: an HTTP action gets whatever actions get.
          return (base as SyscallHandler).jsSyscall(op, args);
      }
    },
  };
}

function headerPairs(headers: Headers): [string, string][] {
  const out: [string, string][] = [];
  // Iteration keeps each Set-Cookie apart and joins the other repeated headers, as HTTP allows.
  headers.forEach((value, name) => {
    if (name !== "set-cookie") out.push([name, value]);
  });
  for (const cookie of headers.getSetCookie()) out.push(["set-cookie", cookie]);
  return out;
}
