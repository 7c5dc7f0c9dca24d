/**
 * `useAuth()` with the exact union of `@clerk/clerk-react` v5, usable verbatim as
 * `ConvexProviderWithClerk`'s `useAuth`: `isLoaded`, `isSignedIn`, a `getToken` that is stable
 * for the provider's lifetime (Convex rebuilds its token fetcher only when `orgId`, `orgRole` or
 * `sessionId` change) and `sessionClaims` present as soon as a session is, taken from its last
 * active token — whose `aud` is "convex", which selects Convex's session-token branch.
 */
import { useCallback, useMemo } from "react";
import type { GetTokenOptions, JwtClaims, SignOutOptions } from "@tandem/js";
import { useTandemContext } from "../context.js";
import { createClerkLike } from "../clerk.js";

export type GetToken = (options?: GetTokenOptions & { organizationId?: string }) => Promise<string | null>;
export type SignOut = {
  (options?: SignOutOptions): Promise<void>;
  (callback: () => void | Promise<unknown>, options?: SignOutOptions): Promise<void>;
};
export interface HasParams {
  role?: string;
  permission?: string;
  feature?: string;
  plan?: string;
}
/** Role and permission checks against the active organization's membership; features and plans (billing) are always false. */
export type Has = (params: HasParams) => boolean;

interface Common {
  has: Has;
  signOut: SignOut;
  getToken: GetToken;
}

export type UseAuthReturn =
  | (Common & {
      isLoaded: false;
      isSignedIn: undefined;
      userId: undefined;
      sessionId: undefined;
      sessionClaims: undefined;
      actor: undefined;
      orgId: undefined;
      orgRole: undefined;
      orgSlug: undefined;
    })
  | (Common & {
      isLoaded: true;
      isSignedIn: false;
      userId: null;
      sessionId: null;
      sessionClaims: null;
      actor: null;
      orgId: null;
      orgRole: null;
      orgSlug: null;
    })
  | (Common & {
      isLoaded: true;
      isSignedIn: true;
      userId: string;
      sessionId: string;
      sessionClaims: JwtClaims;
      actor: Record<string, unknown> | null;
      /** The active organization (`setActive({ organization })`), `null` for the personal account. */
      orgId: string | null;
      orgRole: string | null;
      orgSlug: string | null;
    });

const hasNothing: Has = () => false;

export function useAuth(): UseAuthReturn {
  const ctx = useTandemContext("useAuth");
  const { tandem, ui, options } = ctx;
  const getToken = useCallback<GetToken>(
    async (opts = {}) => {
      await tandem.load();
      const { organizationId: _ignored, ...rest } = opts;
      return tandem.getToken(rest);
    },
    [tandem],
  );
  const signOut = useMemo(() => createClerkLike(tandem, ui, options).signOut, [tandem, ui, options]);
  const session = tandem.session;
  const claims = session?.lastActiveToken?.jwt.claims;
  const activeOrg = tandem.organization;
  const membership =
    (activeOrg && session?.user.organizationMemberships.find((m) => m.organization.id === activeOrg.id)) || null;
  return useMemo<UseAuthReturn>(() => {
    const common = { has: hasNothing, signOut, getToken };
    if (!tandem.loaded)
      return {
        ...common,
        isLoaded: false,
        isSignedIn: undefined,
        userId: undefined,
        sessionId: undefined,
        sessionClaims: undefined,
        actor: undefined,
        orgId: undefined,
        orgRole: undefined,
        orgSlug: undefined,
      };
    if (!session)
      return {
        ...common,
        isLoaded: true,
        isSignedIn: false,
        userId: null,
        sessionId: null,
        sessionClaims: null,
        actor: null,
        orgId: null,
        orgRole: null,
        orgSlug: null,
      };
    return {
      ...common,
      isLoaded: true,
      isSignedIn: true,
      userId: session.user.id,
      sessionId: session.id,
      sessionClaims: claims ?? { sub: session.user.id, sid: session.id },
      actor: session.actor,
      has: (p: HasParams) =>
        membership !== null &&
        (p.role !== undefined || p.permission !== undefined) &&
        (p.role === undefined || p.role === membership.role) &&
        (p.permission === undefined || membership.permissions.includes(p.permission)),
      orgId: membership?.organization.id ?? null,
      orgRole: membership?.role ?? null,
      orgSlug: membership?.organization.slug ?? null,
    };
    // ctx.revision: re-derive when the SDK reports a change.
  }, [ctx.revision, tandem, session, claims, membership, signOut, getToken]);
}
