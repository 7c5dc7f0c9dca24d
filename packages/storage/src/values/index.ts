export { fromConvexJSON, toConvexJSON, fromConvexJSONOrUndefined, isUndefinedMarker } from "./json.js";
export { getFieldPath, getJSONFieldPath, splitFieldPath } from "./field-path.js";
