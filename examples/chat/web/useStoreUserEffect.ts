// From Convex's "Storing Users in the Convex Database" guide: once Convex has the user's token,
// call `users:store` so the `users` table holds them, and report loading until it has.
import { useConvexAuth, useMutation } from "convex/react";
import { useEffect, useState } from "react";
import { useUser } from "@tandem/react";
import { api } from "../convex/_generated/api";
import type { Id } from "../convex/_generated/dataModel";

export function useStoreUserEffect() {
  const { isLoading, isAuthenticated } = useConvexAuth();
  const { user } = useUser();
  // When this state is set we know the server has stored the user.
  const [userId, setUserId] = useState<Id<"users"> | null>(null);
  const storeUser = useMutation(api.users.store);
  // Call the `storeUser` mutation function to store the current user in the `users` table and
  // return the `Id` value.
  useEffect(() => {
    // If the user is not logged in don't do anything.
    if (!isAuthenticated) {
      return;
    }
    // Store the user in the database. Recall that `storeUser` gets the user information via the
    // `auth` object on the server. You don't need to pass anything manually here.
    async function createUser() {
      const id = await storeUser();
      setUserId(id);
    }
    void createUser();
    return () => setUserId(null);
    // Make sure the effect reruns if the user logs in with a different identity.
  }, [isAuthenticated, storeUser, user?.id]);
  // Combine the local state with the state from context.
  return {
    isLoading: isLoading || (isAuthenticated && userId === null),
    isAuthenticated: isAuthenticated && userId !== null,
  };
}
