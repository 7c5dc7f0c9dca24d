/**
 * Organizations in React: `<CreateOrganization />` creates and activates one; `useOrganization`,
 * `useOrganizationList` and `useAuth` (orgId/orgRole/orgSlug, `has`) follow, and so do tokens;
 * `<OrganizationSwitcher />` switches back to the personal account.
 */
import { win, byLabel, byRole, type, waitUntil } from "./support/dom.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import React, { act } from "react";
import { createRoot } from "react-dom/client";
import {
  AuthProvider,
  CreateOrganization,
  OrganizationSwitcher,
  useAuth,
  useOrganization,
  useOrganizationList,
  type UseAuthReturn,
  type UseOrganizationListReturn,
  type UseOrganizationReturn,
} from "@tandem/react";
import { createTandem, decodeJwtClaims } from "@tandem/js";
import { PASSWORD, startIdentity } from "../../../test/support/identity.js";

test("CreateOrganization, OrganizationSwitcher and the organization hooks", async (t) => {
  const identity = await startIdentity();
  t.after(() => identity.stop());
  const tandem = createTandem({ publishableKey: identity.publishableKey, transport: "header" });
  t.after(() => tandem.destroy());
  await tandem.load();
  const t0 = Date.now();
  await tandem.signUp.create({ emailAddress: "bruce@example.com", password: PASSWORD, firstName: "Bruce" });
  await tandem.signUp.prepareEmailAddressVerification({ strategy: "email_code" });
  await tandem.signUp.attemptEmailAddressVerification({ code: await identity.codeFor("bruce@example.com", t0) });
  await tandem.setActive({ session: tandem.signUp.createdSessionId });

  let org: UseOrganizationReturn | undefined;
  let list: UseOrganizationListReturn | undefined;
  let auth: UseAuthReturn | undefined;
  function Probe() {
    org = useOrganization();
    list = useOrganizationList();
    auth = useAuth();
    return null;
  }
  const host = win.document.createElement("div");
  win.document.body.append(host);
  const root = createRoot(host);
  act(() =>
    root.render(
      <AuthProvider publishableKey={identity.publishableKey} tandem={tandem}>
        <Probe />
        <OrganizationSwitcher />
        <CreateOrganization />
      </AuthProvider>,
    ),
  );
  t.after(() => (act(() => root.unmount()), host.remove()));

  await waitUntil(() => org?.isLoaded === true, "loaded");
  assert.equal(org!.organization, null);
  assert.equal(list!.userMemberships.count, 0);
  assert.equal(auth!.orgId, null);

  await type(byLabel(host, "Name"), "Wayne Enterprises");
  await type(byLabel(host, "Slug (optional)"), "wayne");
  await act(async () => byRole(host, "button", "Create organization").click());
  await waitUntil(() => org?.organization?.slug === "wayne", "the new organization to be active");
  assert.equal(org!.membership?.role, "org:admin");
  assert.equal(list!.userMemberships.count, 1);
  const a = auth!;
  assert.ok(a.isSignedIn);
  if (!a.isSignedIn) return;
  assert.equal(a.orgId, org!.organization!.id);
  assert.equal(a.orgRole, "org:admin");
  assert.equal(a.orgSlug, "wayne");
  assert.equal(a.has({ role: "org:admin" }), true);
  assert.equal(a.has({ permission: "org:sys_memberships:manage" }), true);
  assert.equal(a.has({ role: "org:member" }), false);
  assert.equal(decodeJwtClaims((await a.getToken())!)!.org_id, a.orgId, "the token follows the organization");

  const select = host.querySelector<HTMLSelectElement>('select[aria-label="Organization"]')!;
  assert.deepEqual(
    [...select.options].map((o) => o.textContent),
    ["Personal account", "Wayne Enterprises"],
  );
  assert.equal(select.value, a.orgId);
  await act(async () => {
    select.value = "";
    select.dispatchEvent(new win.Event("change", { bubbles: true }));
  });
  await waitUntil(() => org?.organization === null, "the personal account");
  assert.equal(auth!.orgId, null);
  assert.equal(decodeJwtClaims((await auth!.getToken())!)!.org_id, undefined);

  // A slug that is taken shows its error next to the field.
  await type(byLabel(host, "Name"), "Another");
  await type(byLabel(host, "Slug (optional)"), "wayne");
  await act(async () => byRole(host, "button", "Create organization").click());
  await waitUntil(() => host.textContent!.includes("taken"), "the slug error");
});
