/**
 * `/v1/environment`: the instance's settings as clerk-js reads them. `user_settings.attributes`
 * replaces clerk-js's defaults wholesale, so it is complete; `commerce_settings` is left out
 * (a partial one breaks clerk-js's parser, docs/identity-api.md#frontend-api). It also carries every key
 * the Android SDK's models require (docs/android-guide.md).
 */
import type { InstanceKind } from "../store/types.js";

const attr = (over: Record<string, unknown>) => ({
  enabled: false,
  required: false,
  used_for_first_factor: false,
  first_factors: [],
  used_for_second_factor: false,
  second_factors: [],
  verifications: [],
  verify_at_sign_up: false,
  ...over,
});

/** The `user_settings.social` entry of one configured OAuth / OIDC provider, as Clerk lists it. */
export const socialJSON = (providers: { key: string; name: string }[]) =>
  Object.fromEntries(
    providers.map(({ key, name }) => [
      `oauth_${key}`,
      {
        enabled: true,
        required: false,
        authenticatable: true,
        block_email_subaddresses: false,
        strategy: `oauth_${key}`,
        name,
        logo_url: null,
      },
    ]),
  );

export function environmentJSON(
  kind: InstanceKind,
  appName: string,
  issuer: string,
  social: Record<string, unknown> = {},
) {
  return {
    object: "environment",
    id: `env_${kind}`,
    maintenance_mode: false,
    auth_config: {
      object: "auth_config",
      id: "aac_1",
      single_session_mode: true,
      claimed_at: null,
      reverification: false,
    },
    display_config: {
      object: "display_config",
      id: "display_config_1",
      instance_environment_type: kind,
      application_name: appName,
      branded: false,
      captcha_public_key: null,
      captcha_widget_type: "invisible",
      captcha_provider: "turnstile",
      captcha_public_key_invisible: null,
      captcha_oauth_bypass: null,
      home_url: issuer,
      sign_in_url: "",
      sign_up_url: "",
      user_profile_url: "",
      after_sign_in_url: "/",
      after_sign_up_url: "/",
      after_sign_out_one_url: "/",
      after_sign_out_all_url: "/",
      after_switch_session_url: "/",
      logo_image_url: "",
      favicon_image_url: "",
      preferred_sign_in_strategy: "password",
      support_email: "",
      show_devmode_warning: false,
      terms_url: "",
      privacy_policy_url: "",
      waitlist_url: "",
      after_join_waitlist_url: "",
      organization_profile_url: "",
      create_organization_url: "",
      after_leave_organization_url: "",
      after_create_organization_url: "",
      theme: {},
      // Required (nullable) by the Android SDK's model; absent, its environment never decodes.
      google_one_tap_client_id: null,
    },
    user_settings: {
      attributes: {
        email_address: attr({
          enabled: true,
          required: true,
          used_for_first_factor: true,
          first_factors: ["email_code", "email_link"],
          verifications: ["email_code", "email_link"],
          verify_at_sign_up: true,
        }),
        // Phone numbers sign in by SMS code and can be the second factor (domain/phones.ts).
        phone_number: attr({
          enabled: true,
          used_for_first_factor: true,
          first_factors: ["phone_code"],
          used_for_second_factor: true,
          second_factors: ["phone_code"],
          verifications: ["phone_code"],
        }),
        username: attr({ enabled: true, used_for_first_factor: true }),
        web3_wallet: attr({}),
        first_name: attr({ enabled: true }),
        last_name: attr({ enabled: true }),
        password: attr({ enabled: true, required: true }),
        // TOTP and backup codes are always on as second factors (domain/second-factor.ts).
        authenticator_app: attr({ enabled: true, used_for_second_factor: true, second_factors: ["totp"] }),
        backup_code: attr({ enabled: true, used_for_second_factor: true, second_factors: ["backup_code"] }),
        passkey: attr({
          enabled: true,
          used_for_first_factor: true,
          first_factors: ["passkey"],
          verifications: ["passkey"],
        }),
      },
      social,
      enterprise_sso: { enabled: false },
      sign_in: { second_factor: { required: false } },
      sign_up: {
        custom_action_required: false,
        progressive: true,
        mode: "public",
        captcha_enabled: false,
        legal_consent_enabled: false,
      },
      password_settings: {
        min_length: 8,
        max_length: 256,
        require_special_char: false,
        require_numbers: false,
        require_uppercase: false,
        require_lowercase: false,
        show_zxcvbn: false,
        min_zxcvbn_strength: 0,
        enforce_hibp_on_sign_in: false,
        allowed_special_characters: "",
      },
      actions: { delete_self: true, create_organization: true },
      attack_protection: { user_lockout: { enabled: true } },
      passkey_settings: { allow_autofill: false, show_sign_in_button: false },
    },
    // clerk-android-api 1.0 (the version the Convex glue pins) requires `fraud_settings.native`.
    fraud_settings: { object: "fraud_settings", native: { device_attestation_mode: "disabled" } },
    // Organizations: fapi/organizations.ts and the Backend API.
    organization_settings: {
      enabled: true,
      max_allowed_memberships: 0,
      force_organization_selection: false,
      actions: { admin_delete: true },
      domains: { enabled: false, enrollment_modes: [], default_role: "org:member" },
    },
    api_keys_settings: { enabled: false },
  };
}
