export { encodeIndexKey, appendToKey } from "./encode.js";
export { decodeIndexKey } from "./decode.js";
export { compareKeys, prefixSuccessor, keyInRange } from "./compare.js";
export { indexRange, fullRange, pointRange, rangeAfter, type RangeBound } from "./range.js";
