/**
 * Control components, as in `@clerk/clerk-react` v5: `<SignedIn>` renders its children when a
 * user is signed in, `<SignedOut>` when the SDK has loaded and nobody is (neither renders while
 * loading), `<Protect>` renders when signed in and its condition holds, else its `fallback`.
 */
import type { ReactNode } from "react";
import { useAuth, type Has, type HasParams } from "../hooks/use-auth.js";

export function SignedIn({ children }: { children?: ReactNode }) {
  const { userId } = useAuth();
  return userId ? <>{children}</> : null;
}

export function SignedOut({ children }: { children?: ReactNode }) {
  const { userId } = useAuth();
  return userId === null ? <>{children}</> : null;
}

export type ProtectProps = HasParams & {
  /** Your own check, given `has` (roles and permissions need organizations, which Tandem has not). */
  condition?: (has: Has) => boolean;
  fallback?: ReactNode;
  children?: ReactNode;
};

export function Protect({ condition, fallback = null, children, ...params }: ProtectProps) {
  const { isLoaded, userId, has } = useAuth();
  if (!isLoaded) return null;
  if (!userId) return <>{fallback}</>;
  const asked = Object.values(params).some((v) => v !== undefined);
  const allowed = condition ? condition(has) : asked ? has(params) : true;
  return <>{allowed ? children : fallback}</>;
}

/** Renders once the SDK has loaded (Clerk's `<ClerkLoaded>`). */
export function IdentityLoaded({ children }: { children?: ReactNode }) {
  return useAuth().isLoaded ? <>{children}</> : null;
}

/** Renders while the SDK loads (Clerk's `<ClerkLoading>`). */
export function IdentityLoading({ children }: { children?: ReactNode }) {
  return useAuth().isLoaded ? null : <>{children}</>;
}
