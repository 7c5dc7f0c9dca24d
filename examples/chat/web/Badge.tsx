// The guide's src/badge.tsx: the signed-in user's name from `useUser`.
import { useUser } from "@tandem/react";

export default function Badge() {
  const { user } = useUser();
  return <span className="badge">Logged in as {user?.fullName}</span>;
}
