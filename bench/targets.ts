/**
 * The targets `npm run bench -- --check` holds every run to (issue 21), in one place. A row names
 * its target by key; its ratio (ceiling-relative, higher is better) must reach `min` in every
 * run, not on average.
 */
export const TARGETS = {
  "http-insert": { min: 0.6, what: "HTTP insert mutations, 50 in flight" },
  "ws-insert": { min: 0.6, what: "WebSocket insert mutations, 50 writers, one socket each" },
  "http-point-query": { min: 0.8, what: "indexed point query over HTTP" },
  "http-range-query": { min: 0.5, what: "100-document indexed range query over HTTP" },
  "idle-connection-memory": { min: 1 / 1.5, what: "memory per idle subscribed connection ≤ 1.5× a bare ws connection" },
  "fanout-p99": { min: 0.7, what: "fan-out to 1k and 10k subscribers, p99" },
  "mutation-to-subscriber-p50": {
    min: 0.5,
    what: "mutation → another socket's update, p50 ≤ 2× bare ws upsert + broadcast",
  },
  "file-upload": { min: 0.7, what: "file upload MB/s (1 MiB bodies) vs a bare server streaming and hashing them" },
  "file-download": { min: 0.7, what: "file download MB/s (1 MiB) vs a bare server streaming the file" },
} as const satisfies Record<string, { readonly min: number; readonly what: string }>;

export type TargetKey = keyof typeof TARGETS;
