/** What every function thread sets up first. */
import { setVmTimeoutGuard } from "../invoke.js";

export function setUpFunctionThread(): void {
  // The engine replaces a thread whose user code overruns, so no per-call vm timeouts here.
  setVmTimeoutGuard(false);
  // A promise user code left unawaited may reject after its function returned. On Convex that is
  // a warning, not a crash: report it and keep this thread serving.
  process.on("unhandledRejection", (reason) => {
    const text = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
    process.emitWarning(`Unhandled promise rejection in a function: ${text}`);
  });
}
