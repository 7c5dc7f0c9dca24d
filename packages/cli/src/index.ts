/** `tandem`: the command line. `runCli(argv)` runs it in-process and resolves with the exit code. */
export { runCli } from "./program.js";
export { updateEnvText, updateEnvFile } from "./env-file.js";
export { findConvexCli, convexCliEnv } from "./convex-cli.js";
export { startServices, type Services, type ServiceOptions } from "./services.js";
export type { Io } from "./io.js";
