/**
 * The instance's enabled sign-in factors, read from the Frontend API environment
 * (`GET /v1/environment`, `user_settings` as Clerk's) so components offer exactly those.
 */
export interface InstanceFactors {
  /** Configured social providers, in the server's order. */
  socialProviders: { strategy: `oauth_${string}`; name: string }[];
  passkey: boolean;
  emailCode: boolean;
  emailLink: boolean;
  phoneCode: boolean;
  /** A sign-up may carry a phone number (`required`: must), verified by `phone_code`. */
  phoneNumber: "off" | "optional" | "required";
  totp: boolean;
  backupCode: boolean;
}

type Attr = {
  enabled?: boolean;
  required?: boolean;
  first_factors?: string[];
  second_factors?: string[];
  verifications?: string[];
};
export interface EnvironmentJSON {
  user_settings?: {
    attributes?: Record<string, Attr | undefined>;
    social?: Record<string, { enabled?: boolean; strategy?: string; name?: string } | undefined>;
  };
}

export function instanceFactors(env: EnvironmentJSON): InstanceFactors {
  const attrs = env.user_settings?.attributes ?? {};
  const has = (name: string, factor: string) => {
    const a = attrs[name];
    return Boolean(
      a?.enabled &&
      [...(a.first_factors ?? []), ...(a.second_factors ?? []), ...(a.verifications ?? [])].includes(factor),
    );
  };
  return {
    socialProviders: Object.values(env.user_settings?.social ?? {})
      .filter((s) => s?.enabled && s.strategy?.startsWith("oauth_"))
      .map((s) => ({ strategy: s!.strategy as `oauth_${string}`, name: s!.name ?? s!.strategy!.slice(6) })),
    passkey: has("passkey", "passkey"),
    emailCode: has("email_address", "email_code"),
    emailLink: has("email_address", "email_link"),
    phoneCode: has("phone_number", "phone_code"),
    phoneNumber: !attrs.phone_number?.enabled ? "off" : attrs.phone_number.required ? "required" : "optional",
    totp: has("authenticator_app", "totp"),
    backupCode: has("backup_code", "backup_code"),
  };
}
