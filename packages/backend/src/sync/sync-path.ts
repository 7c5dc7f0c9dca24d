/**
 * The upgrade URL: `/api/<clientVersion>/sync` or `/api/sync`, tolerating the doubled leading
 * slash a deployment URL with a trailing slash produces (docs/sync-protocol.md#endpoint).
 */
export interface SyncPath {
  /** `npm` version from the path, e.g. "1.48.0"; null for `/api/sync`. */
  readonly clientVersion: string | null;
  /** TransitionChunk needs npm ≥ 1.28.0. */
  readonly supportsChunks: boolean;
}

const PATH = /^\/+api\/(?:([^/]+)\/)?sync\/?$/;

export function parseSyncPath(url: string | undefined): SyncPath | null {
  if (!url) return null;
  const q = url.indexOf("?");
  const m = PATH.exec(q === -1 ? url : url.slice(0, q));
  if (!m) return null;
  const clientVersion = m[1] ?? null;
  return { clientVersion, supportsChunks: clientVersion !== null && atLeast(clientVersion, [1, 28, 0]) };
}

function atLeast(version: string, min: readonly number[]): boolean {
  const parts = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!parts) return false;
  for (let i = 0; i < 3; i++) {
    const d = Number(parts[i + 1]) - min[i]!;
    if (d !== 0) return d > 0;
  }
  return true;
}
