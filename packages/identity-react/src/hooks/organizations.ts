/**
 * `useOrganization` and `useOrganizationList` in the shapes of `@clerk/clerk-react` v5 (the fields
 * apps read: the active organization and membership; the user's memberships, `setActive`,
 * `createOrganization`). Memberships come with the user, so lists are complete and never paginate.
 */
import { useMemo } from "react";
import type { OrganizationMembershipResource, OrganizationResource, SetActiveParams } from "@tandem/js";
import { useTandemContext } from "../context.js";

export type UseOrganizationReturn =
  | { isLoaded: false; organization: undefined; membership: undefined }
  | { isLoaded: true; organization: OrganizationResource | null; membership: OrganizationMembershipResource | null };

export interface MembershipList {
  data: OrganizationMembershipResource[];
  count: number;
  isLoading: boolean;
  isFetching: boolean;
  hasNextPage: false;
  hasPreviousPage: false;
}

export type UseOrganizationListReturn =
  | { isLoaded: false; userMemberships: MembershipList; setActive: undefined; createOrganization: undefined }
  | {
      isLoaded: true;
      userMemberships: MembershipList;
      setActive: (params: SetActiveParams) => Promise<void>;
      createOrganization: (params: { name: string; slug?: string }) => Promise<OrganizationResource>;
    };

export function useOrganization(): UseOrganizationReturn {
  const ctx = useTandemContext("useOrganization");
  const { tandem } = ctx;
  return useMemo<UseOrganizationReturn>(() => {
    if (!tandem.loaded) return { isLoaded: false, organization: undefined, membership: undefined };
    const organization = tandem.organization;
    const membership = organization
      ? (tandem.user?.organizationMemberships.find((m) => m.organization.id === organization.id) ?? null)
      : null;
    return { isLoaded: true, organization, membership };
  }, [ctx.revision, tandem]);
}

export function useOrganizationList(): UseOrganizationListReturn {
  const ctx = useTandemContext("useOrganizationList");
  const { tandem } = ctx;
  return useMemo<UseOrganizationListReturn>(() => {
    const data = tandem.user?.organizationMemberships ?? [];
    const userMemberships: MembershipList = {
      data,
      count: data.length,
      isLoading: !tandem.loaded,
      isFetching: false,
      hasNextPage: false,
      hasPreviousPage: false,
    };
    if (!tandem.loaded)
      return { isLoaded: false, userMemberships, setActive: undefined, createOrganization: undefined };
    return {
      isLoaded: true,
      userMemberships,
      setActive: (p) => tandem.setActive(p),
      createOrganization: (p) => tandem.createOrganization(p),
    };
  }, [ctx.revision, tandem]);
}
