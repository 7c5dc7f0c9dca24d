export { SubscriptionManager, Execution, type Subscriber, type SubscriptionStats } from "./manager.js";
export { RangeIndex } from "./range-index.js";
export { IntervalTree } from "./interval-tree.js";
export { compareKeys } from "./keys.js";
export { queryKey, canonicalizeUdfPath, stableStringify, identityKey, type QuerySpec } from "./query-key.js";
export type { SharedResult } from "./shared-result.js";
