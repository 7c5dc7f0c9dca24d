/** The HTTP API of a deployment: function endpoints, meta routes and the router that serves them. */
export { createRouter, type Route, type HttpRequest, type Method, type RequestListener } from "./router.js";
export { functionRoutes, type FunctionApiDeps } from "./function-routes.js";
export { metaRoutes, type MetaInfo } from "./meta-routes.js";
export { identityFromRequest, type RequestAuthenticator, type VerifiedUser } from "./identity.js";
export { readBody, parseJsonBody, parseJsonObject, FUNCTION_BODY_LIMIT, PUSH_BODY_LIMIT } from "./body.js";
export { jsonReply, textReply, errorReply, type Reply } from "./reply.js";
export { formatValue, parseFormat, type ValueFormat } from "./format.js";
export { newRequestId, type UdfResponse } from "./udf-response.js";
