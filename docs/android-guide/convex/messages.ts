/**
 * The guide's data contract: `subscribe<List<Message>>("messages:list")` with no arguments, where
 * Kotlin's `@Serializable data class Message(val id: String, val author: String, val body: String)`
 * needs an `id` key (Convex documents carry `_id`).
 */
import { mutation, query } from "./_generated/server";
import { v } from "convex/values";

export const list = query({
  args: {},
  handler: async (ctx) => {
    const messages = await ctx.db.query("messages").order("desc").take(100);
    return messages.reverse().map((m) => ({ id: m._id, author: m.author, body: m.body }));
  },
});

export const send = mutation({
  args: { body: v.string() },
  handler: async (ctx, { body }) => {
    const identity = await ctx.auth.getUserIdentity();
    if (identity === null) throw new Error("Sign in to send messages");
    await ctx.db.insert("messages", { author: identity.name ?? identity.email ?? identity.subject, body });
  },
});
