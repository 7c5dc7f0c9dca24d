/**
 * Backend API: custom organization permissions (`org:<feature>:<action>`) and roles (`org:<name>`)
 * with their permissions, as `@clerk/backend`'s `organizationPermissions` / `organizationRoles`
 * call them. System roles and `org:sys_*` permissions are built in and not listed.
 */
import { ApiError } from "../errors.js";
import { newRoleId } from "../ids.js";
import { ok } from "../http/context.js";
import type { IdentityService } from "../domain/service.js";
import { SYSTEM_ROLES } from "../domain/org-roles.js";
import { uniqueToApi } from "../domain/users.js";
import type { OrgPermissionRecord, OrgRoleRecord } from "../store/org-types.js";
import { deletedJSON } from "./json.js";
import type { BapiHandler } from "./users.js";

const PERMISSION_KEY = /^org:(?!sys_)[a-z0-9_]{1,64}:[a-z0-9_]{1,64}$/;
const ROLE_KEY = /^org:[a-z0-9_]{1,64}$/;

const permissionJSON = (p: OrgPermissionRecord) => ({
  object: "permission",
  id: p.id,
  name: p.name,
  key: p.key,
  description: p.description,
  type: "user",
  created_at: p.createdAt,
  updated_at: p.updatedAt,
});

async function roleJSON(svc: IdentityService, r: OrgRoleRecord) {
  const perms = new Map((await svc.store.listOrgPermissions(svc.instanceId)).map((p) => [p.id, p]));
  return {
    object: "role",
    id: r.id,
    name: r.name,
    key: r.key,
    description: r.description,
    permissions: r.permissionIds
      .map((id) => perms.get(id))
      .filter((p): p is OrgPermissionRecord => p !== undefined)
      .map(permissionJSON),
    is_creator_eligible: true,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

async function permission(svc: IdentityService, id: string): Promise<OrgPermissionRecord> {
  const p = (await svc.store.listOrgPermissions(svc.instanceId)).find((x) => x.id === id);
  if (!p) throw new ApiError("resource_not_found", { param: "permission_id" });
  return p;
}

async function role(svc: IdentityService, id: string): Promise<OrgRoleRecord> {
  const r = (await svc.store.listOrgRoles(svc.instanceId)).find((x) => x.id === id);
  if (!r) throw new ApiError("resource_not_found", { param: "organization_role_id" });
  return r;
}

const text = (v: string, param: string) => {
  const s = v.trim();
  if (!s) throw new ApiError("form_param_missing", { param });
  return s;
};

async function saved<T>(svc: IdentityService, write: Promise<T>): Promise<T> {
  try {
    const out = await write;
    await svc.orgRoles.reload(svc.store, svc.instanceId);
    return out;
  } catch (e) {
    throw uniqueToApi(e);
  }
}

export const listPermissions: BapiHandler = async (svc) => {
  const all = await svc.store.listOrgPermissions(svc.instanceId);
  return ok({ data: all.map(permissionJSON), total_count: all.length });
};

export const postPermission: BapiHandler = async (svc, req) => {
  const f = req.fields;
  const key = f.required("key", 140);
  if (!PERMISSION_KEY.test(key))
    throw new ApiError("form_param_format_invalid", {
      param: "key",
      detail: "Use org:<feature>:<action> in lowercase letters, digits and underscores (org:sys_* is reserved).",
    });
  const now = svc.now();
  const p: OrgPermissionRecord = {
    id: newRoleId.permission(),
    instanceId: svc.instanceId,
    name: text(f.required("name", 256), "name"),
    key,
    description: f.str("description", 1024) ?? "",
    createdAt: now,
    updatedAt: now,
  };
  await saved(svc, svc.store.saveOrgPermission(p));
  return ok(permissionJSON(p));
};

export const getPermission: BapiHandler = async (svc, _req, p) => ok(permissionJSON(await permission(svc, p.id!)));

export const deletePermission: BapiHandler = async (svc, _req, p) => {
  const perm = await permission(svc, p.id!);
  await saved(svc, svc.store.deleteOrgPermission(svc.instanceId, perm.id));
  return ok(deletedJSON("permission", perm.id));
};

export const listRoles: BapiHandler = async (svc) => {
  const all = await svc.store.listOrgRoles(svc.instanceId);
  return ok({ data: await Promise.all(all.map((r) => roleJSON(svc, r))), total_count: all.length });
};

async function permissionIds(svc: IdentityService, ids: string[] | undefined): Promise<OrgRoleRecord["permissionIds"]> {
  const known = new Set((await svc.store.listOrgPermissions(svc.instanceId)).map((p) => p.id as string));
  for (const id of ids ?? [])
    if (!known.has(id))
      throw new ApiError("form_param_value_invalid", { param: "permissions", detail: `No permission ${id}.` });
  return [...new Set(ids ?? [])] as OrgRoleRecord["permissionIds"];
}

export const postRole: BapiHandler = async (svc, req) => {
  const f = req.fields;
  const key = f.required("key", 70);
  if (!ROLE_KEY.test(key) || Object.hasOwn(SYSTEM_ROLES, key))
    throw new ApiError("form_param_format_invalid", {
      param: "key",
      detail: "Use org:<name> in lowercase letters, digits and underscores (org:admin and org:member are built in).",
    });
  const now = svc.now();
  const r: OrgRoleRecord = {
    id: newRoleId.role(),
    instanceId: svc.instanceId,
    name: text(f.required("name", 256), "name"),
    key,
    description: f.str("description", 1024) ?? "",
    permissionIds: await permissionIds(svc, f.strList("permissions", 64)),
    createdAt: now,
    updatedAt: now,
  };
  await saved(svc, svc.store.saveOrgRole(r));
  return ok(await roleJSON(svc, r));
};

export const getRole: BapiHandler = async (svc, _req, p) => ok(await roleJSON(svc, await role(svc, p.id!)));

export const patchRole: BapiHandler = async (svc, req, p) => {
  const r = await role(svc, p.id!);
  const f = req.fields;
  const next: OrgRoleRecord = {
    ...r,
    ...(f.has("name") ? { name: text(f.required("name", 256), "name") } : {}),
    ...(f.has("description") ? { description: f.str("description", 1024) ?? "" } : {}),
    ...(f.has("permissions") ? { permissionIds: await permissionIds(svc, f.strList("permissions", 64)) } : {}),
    updatedAt: svc.now(),
  };
  await saved(svc, svc.store.saveOrgRole(next));
  return ok(await roleJSON(svc, next));
};

export const deleteRole: BapiHandler = async (svc, _req, p) => {
  const r = await role(svc, p.id!);
  if ((await svc.store.countRoleUses(svc.instanceId, r.key)) > 0)
    throw new ApiError("form_param_value_invalid", {
      param: "organization_role_id",
      detail: "Members or pending invitations still have this role.",
    });
  await saved(svc, svc.store.deleteOrgRole(svc.instanceId, r.id));
  return ok(deletedJSON("role", r.id));
};

const rolePermission =
  (add: boolean): BapiHandler =>
  async (svc, _req, p) => {
    const r = await role(svc, p.id!);
    const perm = await permission(svc, p.permission_id!);
    const ids = add ? [...new Set([...r.permissionIds, perm.id])] : r.permissionIds.filter((x) => x !== perm.id);
    const next = { ...r, permissionIds: ids, updatedAt: svc.now() };
    await saved(svc, svc.store.saveOrgRole(next));
    return ok(await roleJSON(svc, next));
  };
export const assignRolePermission = rolePermission(true);
export const removeRolePermission = rolePermission(false);
