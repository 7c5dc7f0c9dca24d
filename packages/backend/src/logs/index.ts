/** `npx convex logs`: the execution log buffer and its long-poll endpoint. */
export { LogStream, type FunctionExecutionJson } from "./log-stream.js";
export { logRoutes, type LogRouteDeps } from "./routes.js";
