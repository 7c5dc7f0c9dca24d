/**
 * The fields the Android stack's Kotlin models require, as kotlinx.serialization decodes them
 * (`explicitNulls = true`, `coerceInputValues`, `ignoreUnknownKeys`): `R` must be present and
 * non-null, `RN` must be present (null allowed), `D` has a default (may be absent). Read from
 * clerk-android 1.1.3 (`source/api/.../model`) and tag v1.0 (`fraud_settings`). A response
 * missing a required field throws here, as the SDK's decoder would.
 */
type Shape = Model | { list: Shape } | { map: Shape } | "string" | "number" | "boolean" | "object" | "any";
interface Rule {
  need: "R" | "RN" | "D";
  shape: Shape;
}
export type Model = { readonly [field: string]: Rule };

const R = (shape: Shape = "any"): Rule => ({ need: "R", shape });
const RN = (shape: Shape = "any"): Rule => ({ need: "RN", shape });
const D = (shape: Shape = "any"): Rule => ({ need: "D", shape });

const isRule = (x: unknown): x is Rule => typeof x === "object" && x !== null && "need" in x;

function checkShape(v: unknown, shape: Shape, path: string): void {
  if (shape === "any") return;
  if (shape === "object") {
    if (typeof v !== "object" || v === null || Array.isArray(v))
      throw new Error(`${path}: expected an object, got ${JSON.stringify(v)}`);
    return;
  }
  if (typeof shape === "string") {
    if (typeof v !== shape) throw new Error(`${path}: expected a ${shape}, got ${JSON.stringify(v)}`);
    return;
  }
  // `{list: S}` / `{map: S}` hold a shape; a model's fields hold rules (with `need`).
  const inner = (k: "list" | "map") =>
    k in shape && !isRule((shape as Record<string, unknown>)[k])
      ? ((shape as Record<string, Shape>)[k] as Shape)
      : null;
  const list = inner("list");
  if (list) {
    if (!Array.isArray(v)) throw new Error(`${path}: expected a list, got ${JSON.stringify(v)}`);
    v.forEach((x, i) => checkShape(x, list, `${path}[${i}]`));
    return;
  }
  const map = inner("map");
  if (map) {
    checkShape(v, "object", path);
    for (const [k, x] of Object.entries(v as object)) checkShape(x, map, `${path}.${k}`);
    return;
  }
  decode(v, shape as Model, path);
}

/** Throws where the Kotlin decoder would; returns the value typed loosely for the test's use. */
export function decode<T = any>(v: unknown, model: Model, path = "$"): T {
  checkShape(v, "object", path);
  const o = v as Record<string, unknown>;
  for (const [field, rule] of Object.entries(model)) {
    const at = `${path}.${field}`;
    if (!(field in o)) {
      if (rule.need === "D") continue;
      throw new Error(`${at}: required field missing`);
    }
    const x = o[field];
    if (x === null) {
      if (rule.need === "R") throw new Error(`${at}: must not be null`);
      continue;
    }
    checkShape(x, rule.shape, at);
  }
  return v as T;
}

export const TokenResource: Model = { jwt: R("string") };
const EmailAddress: Model = { id: R("string"), email_address: R("string") };
const PhoneNumber: Model = { id: R("string"), phone_number: R("string") };
const Passkey: Model = { id: R("string"), name: R("string"), created_at: R("number"), updated_at: R("number") };
export const User: Model = {
  id: R("string"),
  has_image: R("boolean"),
  image_url: R("string"),
  passkeys: R({ list: Passkey }),
  password_enabled: R("boolean"),
  phone_numbers: R({ list: PhoneNumber }),
  totp_enabled: R("boolean"),
  two_factor_enabled: R("boolean"),
  updated_at: R("number"),
  email_addresses: D({ list: EmailAddress }),
};
const PublicUserData: Model = { has_image: R("boolean"), identifier: R("string") };
export const Session: Model = {
  id: R("string"),
  expire_at: R("number"),
  last_active_at: R("number"),
  created_at: R("number"),
  updated_at: R("number"),
  status: D("string"),
  tasks: D({ list: "object" }),
  last_active_token: D(TokenResource),
  user: D(User),
  public_user_data: D(PublicUserData),
  factor_verification_age: D({ list: "number" }),
};
const Factor: Model = { strategy: R("string") };
export const SignIn: Model = {
  id: R("string"),
  status: D("string"),
  supported_first_factors: D({ list: Factor }),
  created_session_id: D(),
};
export const SignUp: Model = {
  id: R("string"),
  required_fields: R({ list: "string" }),
  optional_fields: R({ list: "string" }),
  missing_fields: R({ list: "string" }),
  unverified_fields: R({ list: "string" }),
  verifications: R("object"),
  password_enabled: R("boolean"),
};
export const Client: Model = {
  id: D("string"),
  sign_in: D(SignIn),
  sign_up: D(SignUp),
  sessions: D({ list: Session }),
  last_active_session_id: D("string"),
  updated_at: D("number"),
};
/** `ClientPiggybackedResponse<T>`: every answer but the environment's and token mints'. */
export const piggybacked = (response: Model): Model => ({ response: R(response), client: D(Client) });
export const ErrorResponse: Model = {
  errors: R({ list: { code: R("string"), message: D("string"), long_message: D("string") } }),
};

const Attribute: Model = {
  enabled: R("boolean"),
  required: R("boolean"),
  used_for_first_factor: R("boolean"),
  used_for_second_factor: R("boolean"),
  verify_at_sign_up: R("boolean"),
  first_factors: RN({ list: "string" }),
  second_factors: RN({ list: "string" }),
  verifications: RN({ list: "string" }),
};
const Social: Model = {
  enabled: R("boolean"),
  required: R("boolean"),
  authenticatable: R("boolean"),
  strategy: R("string"),
  not_selectable: R("boolean"),
  name: R("string"),
};
/** clerk-android-api 1.1.3. */
export const Environment: Model = {
  auth_config: R({ single_session_mode: R("boolean"), session_minter: D("boolean") }),
  display_config: R({
    application_name: R("string"),
    branded: R("boolean"),
    logo_image_url: R("string"),
    home_url: R("string"),
    privacy_policy_url: RN("string"),
    terms_url: RN("string"),
    google_one_tap_client_id: RN("string"),
  }),
  user_settings: R({
    attributes: R({ map: Attribute }),
    sign_up: R({
      custom_action_required: R("boolean"),
      progressive: R("boolean"),
      mode: R("string"),
      legal_consent_enabled: R("boolean"),
    }),
    social: R({ map: Social }),
    actions: R("object"),
    passkey_settings: RN({ allow_autofill: R("boolean"), show_sign_in_button: R("boolean") }),
  }),
  organization_settings: D("object"),
};
/** clerk-android-api 1.0 (the version the Convex glue pins) also requires `fraud_settings.native`. */
export const EnvironmentV1_0: Model = {
  ...Environment,
  fraud_settings: R({ native: R({ device_attestation_mode: D("string") }) }),
};

/** The guide's `data class Message(val id: String, val author: String, val body: String)`. */
export const Message: Model = { id: R("string"), author: R("string"), body: R("string") };

/** The codes on which `SessionTokenFetcher` clears the local session (clerk-android 1.1.3). */
export const SESSION_INVALIDATION_CODES = [
  "session_revoked",
  "session_expired",
  "session_ended",
  "session_removed",
  "session_replaced",
  "session_not_found",
  "session_invalid",
  "authentication_invalid",
];
