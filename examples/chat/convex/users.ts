import { mutation } from "./_generated/server";

/**
 * Stores the signed-in user in the `users` table, as Convex's "Storing Users in the Convex
 * Database" guide does: call it once after sign-in; it returns the user's id.
 */
export const store = mutation({
  args: {},
  handler: async (ctx) => {
    const identity = await ctx.auth.getUserIdentity();
    if (!identity) {
      throw new Error("Called storeUser without authentication present");
    }
    const user = await ctx.db
      .query("users")
      .withIndex("by_token", (q) => q.eq("tokenIdentifier", identity.tokenIdentifier))
      .unique();
    if (user !== null) {
      // Keep the stored name in step with the identity provider.
      if (user.name !== identity.name) {
        await ctx.db.patch(user._id, { name: identity.name ?? "Anonymous" });
      }
      return user._id;
    }
    return await ctx.db.insert("users", {
      name: identity.name ?? "Anonymous",
      tokenIdentifier: identity.tokenIdentifier,
    });
  },
});
