import { actionGeneric as action, anyApi, mutationGeneric as mutation, queryGeneric as query } from "convex/server";
import { ConvexError, v } from "convex/values";

async function read(ctx: any, name: string): Promise<number> {
  const doc = await ctx.db
    .query("counters")
    .withIndex("by_name", (q: any) => q.eq("name", name))
    .unique();
  return doc?.value ?? 0;
}

async function write(ctx: any, name: string, value: number): Promise<void> {
  const doc = await ctx.db
    .query("counters")
    .withIndex("by_name", (q: any) => q.eq("name", name))
    .unique();
  if (doc) await ctx.db.patch(doc._id, { value });
  else await ctx.db.insert("counters", { name, value });
}

export const get = query({ args: { name: v.string() }, handler: (ctx, { name }) => read(ctx, name) });

export const whoami = query({
  args: {},
  handler: async (ctx) => (await ctx.auth.getUserIdentity())?.subject ?? null,
});

export const inc = mutation({
  args: { name: v.string() },
  handler: async (ctx, { name }) => {
    const value = (await read(ctx, name)) + 1;
    await write(ctx, name, value);
    return value;
  },
});

export const transfer = mutation({
  args: { a: v.string(), b: v.string(), amount: v.number() },
  handler: async (ctx, { a, b, amount }) => {
    await write(ctx, a, (await read(ctx, a)) - amount);
    await write(ctx, b, (await read(ctx, b)) + amount);
    return null;
  },
});

export const set = mutation({
  args: { name: v.string(), value: v.number() },
  handler: async (ctx, { name, value }) => {
    await write(ctx, name, value);
    return value;
  },
});

/** Reads only: a mutation that commits nothing but its idempotency record. */
export const peek = mutation({ args: { name: v.string() }, handler: (ctx, { name }) => read(ctx, name) });

/** Leaves a rejected promise behind; the function itself succeeds. */
export const leaky = mutation({
  args: {},
  handler: async () => {
    void Promise.reject(new Error("nobody awaited me"));
    return "ok";
  },
});

export const fail = mutation({
  args: {},
  handler: async () => {
    throw new ConvexError({ reason: "mutation says no" });
  },
});

export const fails = query({
  args: {},
  handler: async () => {
    throw new ConvexError({ code: 7, why: "nope" });
  },
});

export const viaAction = action({
  args: { name: v.string() },
  handler: async (ctx, { name }): Promise<number> => ctx.runMutation(anyApi.counters!.inc!, { name }),
});
