/**
 * Organizations in @tandem/js: create one (the user becomes its admin), the memberships on the
 * user, `setActive({ organization })` → `tandem.organization` and the org claims in fresh tokens
 * (cached ones from before are not served), `setActive({ organization: null })` → none.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createTandem, decodeJwtClaims } from "@tandem/js";
import { startIdentity } from "../../../test/support/identity.js";
import { signUpWithCode } from "./support/flows.js";

test("organizations: create, switch, claims, personal account", async (t) => {
  const identity = await startIdentity();
  t.after(() => identity.stop());
  const tandem = createTandem({ publishableKey: identity.publishableKey });
  t.after(() => tandem.destroy());
  await tandem.load();
  await signUpWithCode(tandem, identity, "ada@example.com");
  const before = await tandem.getToken();
  assert.equal(decodeJwtClaims(before!)!.org_id, undefined);

  const org = await tandem.createOrganization({ name: "Analytical Engines", slug: "engines" });
  assert.equal(org.slug, "engines");
  assert.equal(tandem.user!.organizationMemberships.length, 1, "the piggy-backed client brings the membership");
  assert.equal(tandem.user!.organizationMemberships[0]!.role, "org:admin");
  assert.equal(tandem.organization, null, "creating does not switch");

  await tandem.setActive({ organization: org.id });
  const active = () => tandem.organization; // re-read: the assertion above narrowed the getter to null
  assert.equal(active()?.id, org.id);
  assert.equal(tandem.session!.lastActiveOrganizationId, org.id);
  const claims = decodeJwtClaims((await tandem.getToken())!)!;
  assert.equal(claims.org_id, org.id, "no token from before the switch is served");
  assert.equal(claims.org_role, "org:admin");
  assert.equal(claims.org_slug, "engines");

  await tandem.setActive({ organization: null });
  assert.equal(tandem.organization, null);
  assert.equal(decodeJwtClaims((await tandem.getToken())!)!.org_id, undefined);
  await assert.rejects(
    tandem.setActive({ organization: "org_notmine" }),
    (e: any) => e.errors?.[0]?.code === "not_a_member_in_organization",
  );
});
