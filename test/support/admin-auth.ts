/**
 * `setAdminAuth` on the official clients: how the CLI and the dashboard call admin-only functions
 * (optionally acting as a user). Convex marks it @internal, so its published types leave it out.
 */
import type { ConvexClient, ConvexHttpClient } from "convex/browser";
import type { UserIdentityAttributes } from "convex/server";

type WithAdminAuth = { setAdminAuth(adminKey: string, actingAs?: UserIdentityAttributes): void };

export function setAdminAuth(
  client: ConvexClient | ConvexHttpClient,
  adminKey: string,
  actingAs?: UserIdentityAttributes,
): void {
  (client as (ConvexClient | ConvexHttpClient) & WithAdminAuth).setAdminAuth(adminKey, actingAs);
}
