import { v } from "convex/values";
import { mutation, query } from "./_generated/server";

/** The newest 50 messages, oldest first so a chat view can render them top to bottom. */
export const list = query({
  args: {},
  handler: async (ctx) => {
    const newest = await ctx.db.query("messages").order("desc").take(50);
    return newest.reverse();
  },
});

/**
 * Posts a message. A signed-in sender is named by their identity (the guides' pattern);
 * anonymous senders may give a name, or are called "Anonymous".
 */
export const send = mutation({
  args: { body: v.string(), author: v.optional(v.string()) },
  handler: async (ctx, { body, author }) => {
    const identity = await ctx.auth.getUserIdentity();
    if (identity === null) {
      await ctx.db.insert("messages", { body, author: author?.trim() || "Anonymous" });
      return;
    }
    const user = await ctx.db
      .query("users")
      .withIndex("by_token", (q) => q.eq("tokenIdentifier", identity.tokenIdentifier))
      .unique();
    const name = identity.name ?? user?.name ?? "Anonymous";
    await ctx.db.insert("messages", {
      body,
      author: name,
      ...(user !== null ? { authorId: user._id } : {}),
    });
  },
});
