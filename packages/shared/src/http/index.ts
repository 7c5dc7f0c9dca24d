/**
 * `@tandem/shared/http`: the HTTP plumbing both servers use (Node only; the root entry of
 * `@tandem/shared` stays free of `node:` imports for browser and React Native clients).
 */
export { RouteTable, WRONG_METHOD, type Method, type RouteMatch, type RouteTableOptions } from "./route-table.js";
export { readBody, bodyTooLarge, bodyErrorCodes, type BodyErrorCode } from "./body.js";
export { corsHeaders, preflightHeaders, PUBLIC_CORS, type CorsPolicy } from "./cors.js";
export { writeReply } from "./reply.js";
