/**
 * The engine as the sync layer sees it, with commits the server made outside the engine
 * (snapshot import) announced alongside the engine's own, so live queries see imported data.
 */
import type { Engine } from "../engine/types.js";
import type { ExternalCommits } from "../push/index.js";

export function withExternalCommits(engine: Engine, external: ExternalCommits): Engine {
  return {
    latestTs: () => engine.latestTs(),
    runQuery: (req) => engine.runQuery(req),
    runMutation: (req) => engine.runMutation(req),
    runAction: (req) => engine.runAction(req),
    onCommit: (listener) => {
      const stopEngine = engine.onCommit(listener);
      const stopExternal = external.onCommit(listener);
      return () => {
        stopEngine();
        stopExternal();
      };
    },
  };
}
