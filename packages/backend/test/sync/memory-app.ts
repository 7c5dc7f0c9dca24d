/** Functions of the in-memory test app (the same names as fixtures/app/convex for the real engine). */
import type { ConvexJSON } from "@tandem/storage";
import { AppError, createMemoryEngine, type MemoryEngine } from "../support/memory-engine.js";

export interface Gate {
  /** Resolves when a gated mutation has started. */
  entered: Promise<void>;
  release(): void;
}

export function createGate(): Gate {
  let enter!: () => void;
  let release!: () => void;
  const entered = new Promise<void>((r) => (enter = r));
  const released = new Promise<void>((r) => (release = r));
  gates.push({ enter, released });
  return { entered, release };
}
const gates: Array<{ enter: () => void; released: Promise<void> }> = [];

const num = (v: ConvexJSON | null) => (typeof v === "number" ? v : 0);

export function memoryApp(): MemoryEngine {
  return createMemoryEngine({
    queries: {
      "counters:get": (ctx, { name }) => num(ctx.get("counters", name as string)),
      "counters:all": (ctx) => ctx.list("counters").map((r) => r.key),
      "counters:whoami": (ctx) => ctx.identity?.subject ?? null,
      "counters:big": (ctx, { name, size }) =>
        `${num(ctx.get("counters", name as string))}`.padEnd(size as number, "x"),
      "counters:fails": () => {
        throw new AppError("nope", { code: 7, why: "nope" });
      },
      "counters:page": (ctx, { cursor, numItems }) => {
        const r = ctx.paginate("items", { cursor: (cursor as string | null) ?? null, numItems: numItems as number });
        return { page: r.page.map((x) => x.key), continueCursor: r.continueCursor, isDone: r.isDone };
      },
    },
    mutations: {
      "counters:set": (ctx, { name, value }) => {
        ctx.set("counters", name as string, value as number);
        return value as number;
      },
      "counters:inc": (ctx, { name }) => {
        const v = num(ctx.get("counters", name as string)) + 1;
        ctx.set("counters", name as string, v);
        return v;
      },
      /** Moves `amount` from a to b: a + b never changes. */
      "counters:transfer": (ctx, { a, b, amount }) => {
        ctx.set("counters", a as string, num(ctx.get("counters", a as string)) - (amount as number));
        ctx.set("counters", b as string, num(ctx.get("counters", b as string)) + (amount as number));
        return null;
      },
      /** Waits for the next gate of `createGate()` before committing. */
      "counters:gated": async (ctx, { name }) => {
        const gate = gates.shift();
        if (!gate) throw new Error("no gate");
        gate.enter();
        await gate.released;
        const v = num(ctx.get("counters", name as string)) + 1;
        ctx.set("counters", name as string, v);
        return v;
      },
      "counters:fail": () => {
        throw new AppError("mutation says no", { reason: "mutation says no" });
      },
      "items:add": (ctx, { key }) => {
        ctx.set("items", key as string, key as string);
        return null;
      },
    },
    actions: {
      "counters:viaAction": async (ctx, { name }) => ctx.runMutation("counters:inc", { name: name as string }),
    },
  });
}
