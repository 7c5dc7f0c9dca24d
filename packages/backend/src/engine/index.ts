export { createEngine, type EngineOptions, type TandemEngine } from "./engine.js";
export type * from "./types.js";
export type * from "./deployment.js";
