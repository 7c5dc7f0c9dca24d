import { v } from "convex/values";
import { internalQuery } from "./_generated/server";

export const forecast = internalQuery({
  args: { city: v.string() },
  handler: async (_ctx, { city }) => `Sunny and 21°C in ${city}`,
});
