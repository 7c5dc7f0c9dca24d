/**
 * Self and inclusive time by function of a `.cpuprofile`, counting only the samples after the
 * last idle gap of at least a second (`bench/profile-row.ts` idles before its counted requests).
 *
 *   node --import tsx bench/profile-summary.ts <file.cpuprofile> [top=40] [µs per request divisor]
 */
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const [file, topArg = "40", requestsArg] = process.argv.slice(2);
if (!file) throw new Error("usage: profile-summary.ts <file> [top] [requests]");
const p = JSON.parse(readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const idle = (id: number) => byId.get(id)!.callFrame.functionName === "(idle)";
// The counted phase starts after the last run of idle samples spanning ≥ 1 s.
let from = 0;
let idleSince = -1;
let t = 0;
let idleStart = 0;
for (let i = 0; i < p.samples.length; i++) {
  t += p.timeDeltas[i] ?? 0;
  if (idle(p.samples[i]!)) {
    if (idleSince < 0) {
      idleSince = i;
      idleStart = t;
    }
  } else {
    if (idleSince >= 0 && t - idleStart >= 1_000_000) from = i;
    idleSince = -1;
  }
}
const key = (n: Node) =>
  `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber + 1}`;
const self = new Map<string, number>();
const incl = new Map<string, number>();
let total = 0;
for (let i = from; i < p.samples.length; i++) {
  const id = p.samples[i]!;
  const d = p.timeDeltas[i + 1] ?? 0;
  if (idle(id)) continue;
  total += d;
  const k = key(byId.get(id)!);
  self.set(k, (self.get(k) ?? 0) + d);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const ck = key(byId.get(cur)!);
    if (seen.has(ck)) continue;
    seen.add(ck);
    incl.set(ck, (incl.get(ck) ?? 0) + d);
  }
}
const per = requestsArg ? Number(requestsArg) : 0;
console.log(`busy ${(total / 1000).toFixed(1)} ms${per ? `, ${(total / per).toFixed(1)} µs per request` : ""}`);
const show = (m: Map<string, number>) => {
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg)))
    console.log(
      `${((100 * v) / total).toFixed(1).padStart(5)}%${per ? ` ${(v / per).toFixed(1).padStart(7)}µs` : ""}  ${k}`,
    );
};
console.log("--- self");
show(self);
console.log("--- inclusive");
show(incl);
