/** Backend API: JWT templates CRUD, validated (reserved claims, shortcode syntax, lifetime and skew ranges). */
import { ApiError } from "../errors.js";
import { newId, parseId } from "../ids.js";
import { ok } from "../http/context.js";
import type { Fields } from "../http/fields.js";
import type { IdentityService } from "../domain/service.js";
import { uniqueToApi } from "../domain/users.js";
import { RESERVED_TEMPLATE_CLAIMS, TEMPLATE_LIMITS } from "../tokens/presets.js";
import { isValidExpression, shortcodesIn } from "../tokens/shortcodes.js";
import type { JwtTemplateRecord } from "../store/types.js";
import { deletedJSON, templateJSON } from "./json.js";
import type { BapiHandler } from "./users.js";

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

function readTemplate(
  f: Fields,
  base: JwtTemplateRecord | null,
): Pick<JwtTemplateRecord, "name" | "claims" | "lifetime" | "allowedClockSkew"> {
  const name = f.str("name", 64) ?? base?.name;
  if (!name) throw new ApiError("form_param_missing", { param: "name" });
  if (!NAME.test(name))
    throw new ApiError("form_param_format_invalid", { param: "name", detail: "Use letters, digits, _ and -." });
  const claims = f.object("claims") ?? base?.claims;
  if (!claims) throw new ApiError("form_param_missing", { param: "claims" });
  if (Buffer.byteLength(JSON.stringify(claims)) > 8192)
    throw new ApiError("form_param_max_length_exceeded", { param: "claims" });
  for (const k of RESERVED_TEMPLATE_CLAIMS) if (k in claims) throw new ApiError("reserved_claim", { param: "claims" });
  for (const expr of shortcodesIn(claims))
    if (!isValidExpression(expr))
      throw new ApiError("form_param_format_invalid", { param: "claims", detail: "A shortcode is malformed." });
  const lifetime = f.int("lifetime") ?? base?.lifetime ?? 60;
  if (lifetime < TEMPLATE_LIMITS.minLifetime || lifetime > TEMPLATE_LIMITS.maxLifetime)
    throw new ApiError("form_param_value_invalid", { param: "lifetime" });
  const allowedClockSkew = f.int("allowed_clock_skew") ?? base?.allowedClockSkew ?? 5;
  if (allowedClockSkew < TEMPLATE_LIMITS.minSkew || allowedClockSkew > TEMPLATE_LIMITS.maxSkew)
    throw new ApiError("form_param_value_invalid", { param: "allowed_clock_skew" });
  if (f.bool("custom_signing_key"))
    throw new ApiError("form_param_value_invalid", {
      param: "custom_signing_key",
      detail: "Custom signing keys are not supported.",
    });
  return { name, claims, lifetime, allowedClockSkew };
}

async function target(svc: IdentityService, id: string) {
  const tid = parseId.template(id);
  const t = tid ? await svc.store.getTemplate(svc.instanceId, tid) : null;
  if (!t) throw new ApiError("resource_not_found", { param: "template_id" });
  return t;
}

async function save(svc: IdentityService, t: JwtTemplateRecord) {
  try {
    await svc.store.saveTemplate(t);
  } catch (e) {
    throw uniqueToApi(e);
  }
  return ok(templateJSON(t));
}

export const listTemplates: BapiHandler = async (svc, req) => {
  const list = (await svc.store.listTemplates(svc.instanceId)).map(templateJSON);
  return ok(req.query.get("paginated") === "true" ? { data: list, total_count: list.length } : list);
};
export const getTemplate: BapiHandler = async (svc, _req, p) => ok(templateJSON(await target(svc, p.id!)));

export const createTemplate: BapiHandler = async (svc, req) => {
  const now = svc.now();
  return save(svc, {
    id: newId.template(),
    instanceId: svc.instanceId,
    ...readTemplate(req.fields, null),
    createdAt: now,
    updatedAt: now,
  });
};

export const updateTemplate: BapiHandler = async (svc, req, p) => {
  const t = await target(svc, p.id!);
  return save(svc, { ...t, ...readTemplate(req.fields, t), updatedAt: svc.now() });
};

export const deleteTemplate: BapiHandler = async (svc, _req, p) => {
  const t = await target(svc, p.id!);
  await svc.store.deleteTemplate(svc.instanceId, t.id);
  return ok(deletedJSON("jwt_template", t.id));
};
