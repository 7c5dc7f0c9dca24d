/** Backend API: users (create/get/list/search/count/update/delete, metadata, ban, lock, password check). */
import { ApiError } from "../errors.js";
import { parseId } from "../ids.js";
import { verifyPassword } from "../crypto/passwords.js";
import { createUser, updateUser } from "../domain/users.js";
import { checkMetadata, mergeMetadata } from "../domain/validate.js";
import { LOCKED_FOREVER, type IdentityService } from "../domain/service.js";
import type { UserOrder, UserQuery, UserRecord } from "../store/types.js";
import { ok, type Reply, type Req } from "../http/context.js";
import { deletedJSON, userJSON } from "./json.js";
import { userDeletedEvent, userEvent } from "../webhooks/events.js";

export type BapiHandler = (svc: IdentityService, req: Req, params: Record<string, string>) => Promise<Reply>;

async function target(svc: IdentityService, id: string): Promise<UserRecord> {
  const uid = parseId.user(id);
  const u = uid ? await svc.store.getUser(svc.instanceId, uid) : null;
  if (!u) throw new ApiError("resource_not_found", { param: "user_id" });
  return u;
}

const ORDERS: readonly UserOrder[] = [
  "created_at",
  "updated_at",
  "last_sign_in_at",
  "email_address",
  "username",
  "first_name",
  "last_name",
];

function userQuery(q: URLSearchParams, paged: boolean): UserQuery {
  const list = (k: string) => {
    const v = [...q.getAll(k), ...q.getAll(`${k}[]`)];
    return v.length ? v : undefined;
  };
  const out: UserQuery = {};
  const set = <K extends keyof UserQuery>(k: K, v: UserQuery[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set("emailAddresses", list("email_address"));
  set("usernames", list("username"));
  set("userIds", list("user_id"));
  set("externalIds", list("external_id"));
  const query = q.get("query");
  if (query) {
    if (query.length > 256) throw new ApiError("form_param_max_length_exceeded", { param: "query" });
    out.query = query;
  }
  if (paged) {
    const order = q.get("order_by") ?? "-created_at";
    const field = order.replace(/^[+-]/, "") as UserOrder;
    if (!ORDERS.includes(field)) throw new ApiError("form_param_value_invalid", { param: "order_by" });
    out.orderBy = { field, desc: !order.startsWith("+") };
    const limit = Number(q.get("limit") ?? 10);
    const offset = Number(q.get("offset") ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw new ApiError("form_param_value_invalid", { param: "limit" });
    if (!Number.isInteger(offset) || offset < 0) throw new ApiError("form_param_value_invalid", { param: "offset" });
    out.limit = limit;
    out.offset = offset;
  }
  return out;
}

export const listUsers: BapiHandler = async (svc, req) =>
  ok((await svc.store.listUsers(svc.instanceId, userQuery(req.query, true))).map((u) => userJSON(svc, u)));

export const countUsers: BapiHandler = async (svc, req) =>
  ok({ object: "total_count", total_count: await svc.store.countUsers(svc.instanceId, userQuery(req.query, false)) });

export const getUser: BapiHandler = async (svc, _req, p) => ok(userJSON(svc, await target(svc, p.id!)));

export const postUser: BapiHandler = async (svc, req) => {
  const f = req.fields;
  const user = await createUser(svc, {
    emailAddresses: f.strList("email_address", 320) ?? [],
    password: f.str("password", 1024) ?? null,
    skipPasswordChecks: f.bool("skip_password_checks") ?? false,
    firstName: f.nullableStr("first_name", 400) ?? null,
    lastName: f.nullableStr("last_name", 400) ?? null,
    username: f.nullableStr("username", 200) ?? null,
    externalId: f.nullableStr("external_id", 400) ?? null,
    publicMetadata: f.object("public_metadata"),
    privateMetadata: f.object("private_metadata"),
    unsafeMetadata: f.object("unsafe_metadata"),
  });
  return ok(userJSON(svc, user));
};

export const patchUser: BapiHandler = async (svc, req, p) => {
  const u = await target(svc, p.id!);
  const f = req.fields;
  const has = (k: string) => f.has(k);
  const updated = await updateUser(svc, u, {
    ...(has("first_name") ? { firstName: f.nullableStr("first_name", 400) ?? null } : {}),
    ...(has("last_name") ? { lastName: f.nullableStr("last_name", 400) ?? null } : {}),
    ...(has("username") ? { username: f.nullableStr("username", 200) ?? null } : {}),
    ...(has("external_id") ? { externalId: f.nullableStr("external_id", 400) ?? null } : {}),
    ...(has("password") ? { password: f.required("password", 1024) } : {}),
    ...(has("skip_password_checks") ? { skipPasswordChecks: f.bool("skip_password_checks") ?? false } : {}),
    ...(has("primary_email_address_id") ? { primaryEmailAddressId: f.required("primary_email_address_id", 64) } : {}),
    ...(has("public_metadata") ? { publicMetadata: f.object("public_metadata") ?? {} } : {}),
    ...(has("private_metadata") ? { privateMetadata: f.object("private_metadata") ?? {} } : {}),
    ...(has("unsafe_metadata") ? { unsafeMetadata: f.object("unsafe_metadata") ?? {} } : {}),
  });
  return ok(userJSON(svc, updated));
};

export const deleteUser: BapiHandler = async (svc, _req, p) => {
  const u = await target(svc, p.id!);
  await svc.revokeUserSessions(u.id);
  await svc.store.deleteUser(svc.instanceId, u.id, [userDeletedEvent(svc, u)]);
  return ok(deletedJSON("user", u.id));
};

/** PATCH merges (null deletes a key), PUT replaces the kinds it is given. */
const metadata =
  (merge: boolean): BapiHandler =>
  async (svc, req, p) => {
    const u = await target(svc, p.id!);
    const f = req.fields;
    const apply = (kind: "public_metadata" | "private_metadata" | "unsafe_metadata", base: Record<string, unknown>) => {
      const v = f.object(kind);
      if (v === undefined) return base;
      const patch = checkMetadata(v ?? {}, kind);
      return checkMetadata(merge ? mergeMetadata(base, patch) : patch, kind);
    };
    const updated = await updateUser(svc, u, {
      publicMetadata: apply("public_metadata", u.publicMetadata),
      privateMetadata: apply("private_metadata", u.privateMetadata),
      unsafeMetadata: apply("unsafe_metadata", u.unsafeMetadata),
    });
    return ok(userJSON(svc, updated));
  };
export const mergeUserMetadata = metadata(true);
export const replaceUserMetadata = metadata(false);

async function saveFlags(svc: IdentityService, u: UserRecord, patch: Partial<UserRecord>) {
  const next = { ...u, ...patch, updatedAt: svc.now() };
  await svc.store.saveUser(next, [userEvent(svc, "user.updated", next)]);
  return next;
}

export const banUser: BapiHandler = async (svc, _req, p) => {
  const u = await target(svc, p.id!);
  await svc.revokeUserSessions(u.id);
  return ok(userJSON(svc, await saveFlags(svc, u, { banned: true })));
};
export const unbanUser: BapiHandler = async (svc, _req, p) =>
  ok(userJSON(svc, await saveFlags(svc, await target(svc, p.id!), { banned: false })));
/** An admin lock has no expiry; sessions already running are left alone (a ban ends them). */
export const lockUser: BapiHandler = async (svc, _req, p) =>
  ok(userJSON(svc, await saveFlags(svc, await target(svc, p.id!), { lockedUntil: LOCKED_FOREVER })));
export const unlockUser: BapiHandler = async (svc, _req, p) =>
  ok(userJSON(svc, await svc.unlock(await target(svc, p.id!))));

export const verifyUserPassword: BapiHandler = async (svc, req, p) => {
  const u = await target(svc, p.id!);
  const password = req.fields.required("password", 1024);
  if (!u.passwordHash || !(await verifyPassword(u.passwordHash, password)))
    throw new ApiError("form_password_incorrect", { param: "password" });
  return ok({ verified: true });
};
