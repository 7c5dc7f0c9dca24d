/**
 * The Frontend API side of organizations, for clerk-js: the signed-in user's memberships (in the
 * user JSON and at `GET /v1/me/organization_memberships`) and creating an organization (the
 * creator becomes its admin). Private metadata never appears here.
 */
import type { ActiveSession } from "../domain/service.js";
import { createOrganization } from "../domain/organizations.js";
import { organizationJSON } from "../bapi/org-json.js";
import type { Endpoint } from "./steps/pipeline.js";
import { membershipsOf } from "./memberships.js";
import { renderClient } from "./render.js";

export const getMyMemberships: Endpoint<ActiveSession> = async (env, { user }) => {
  const q = env.req.query;
  const limit = Math.min(100, Math.max(1, Number(q.get("limit") ?? 10) || 10));
  const offset = Math.max(0, Number(q.get("offset") ?? 0) || 0);
  return { kind: "bare", body: { response: await membershipsOf(env.svc, user, limit, offset), client: null } };
};

export const createMyOrganization: Endpoint<ActiveSession> = async (env, { user }) => {
  const f = env.req.fields;
  const org = await createOrganization(env.svc, { name: f.required("name", 256), slug: f.nullableStr("slug", 64) ?? null, createdBy: user.id });
  return { kind: "bare", body: { response: organizationJSON(org, false), client: await renderClient(env.svc, env.ctx, env.req.origin) } };
};
