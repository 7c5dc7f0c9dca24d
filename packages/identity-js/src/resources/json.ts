/**
 * The Frontend API's JSON resources as they arrive (snake_case, epoch milliseconds); docs/identity-api.md#frontend-api.
 * Only the fields the SDK reads are listed; the server sends more.
 */
import type { OrganizationMembershipJSON } from "./organization.js";

export interface VerificationJSON {
  object?: "verification";
  status: "unverified" | "verified" | "transferable" | "failed" | "expired" | string;
  strategy: string | null;
  attempts: number | null;
  expire_at: number | null;
  next_action?: string;
  supported_strategies?: string[];
}

export interface EmailAddressJSON {
  object: "email_address";
  id: string;
  email_address: string;
  verification: VerificationJSON | null;
}

export interface UserJSON {
  object: "user";
  id: string;
  external_id: string | null;
  primary_email_address_id: string | null;
  username: string | null;
  first_name: string | null;
  last_name: string | null;
  image_url: string;
  has_image: boolean;
  email_addresses: EmailAddressJSON[];
  password_enabled: boolean;
  two_factor_enabled: boolean;
  totp_enabled: boolean;
  backup_code_enabled: boolean;
  public_metadata: Record<string, unknown>;
  unsafe_metadata: Record<string, unknown>;
  last_sign_in_at: number | null;
  delete_self_enabled: boolean;
  passkeys?: PasskeyJSON[];
  phone_numbers?: {
    id: string;
    phone_number: string;
    reserved_for_second_factor?: boolean;
    verification: { status: string } | null;
  }[];
  external_accounts?: ExternalAccountJSON[];
  /** Absent from servers without organizations. */
  organization_memberships?: OrganizationMembershipJSON[];
  created_at: number;
  updated_at: number;
}

export interface PublicUserDataJSON {
  first_name: string | null;
  last_name: string | null;
  image_url: string;
  has_image: boolean;
  identifier: string;
  user_id: string;
}

export interface SessionJSON {
  object: "session";
  id: string;
  status: "active" | "pending" | "ended" | "expired" | "removed" | "abandoned" | "revoked" | string;
  expire_at: number;
  abandon_at: number;
  last_active_at: number;
  last_active_token: { object: "token"; jwt: string } | null;
  last_active_organization_id: string | null;
  factor_verification_age: [number, number] | null;
  actor: Record<string, unknown> | null;
  user: UserJSON;
  public_user_data: PublicUserDataJSON;
  created_at: number;
  updated_at: number;
}

export interface FirstFactorJSON {
  strategy: string;
  email_address_id?: string;
  safe_identifier?: string;
  primary?: boolean;
  phone_number_id?: string;
}

export interface SignInJSON {
  object: "sign_in";
  id: string;
  status: string;
  supported_identifiers: string[];
  identifier: string | null;
  user_data: { first_name: string | null; last_name: string | null; image_url: string; has_image: boolean } | null;
  supported_first_factors: FirstFactorJSON[] | null;
  supported_second_factors: FirstFactorJSON[] | null;
  first_factor_verification: VerificationJSON | null;
  second_factor_verification: VerificationJSON | null;
  created_session_id: string | null;
}

export interface SignUpJSON {
  object: "sign_up_attempt";
  id: string;
  status: string;
  required_fields: string[];
  optional_fields: string[];
  missing_fields: string[];
  unverified_fields: string[];
  verifications: {
    email_address: VerificationJSON | null;
    phone_number: VerificationJSON | null;
    external_account?: ExternalVerificationJSON | null;
  };
  username: string | null;
  email_address: string | null;
  phone_number?: string | null;
  first_name: string | null;
  last_name: string | null;
  password_enabled: boolean;
  unsafe_metadata: Record<string, unknown>;
  created_session_id: string | null;
  created_user_id: string | null;
  abandon_at: number;
}

export interface ClientJSON {
  object: "client";
  id: string;
  sessions: SessionJSON[];
  sign_in: SignInJSON | null;
  sign_up: SignUpJSON | null;
  last_active_session_id: string | null;
  updated_at: number;
  created_at: number;
}

/** `{response, client}` around every answer except token mints and `/v1/environment`. */
export interface Envelope<T> {
  response: T;
  client: ClientJSON | null;
}

export interface PasskeyJSON {
  object: "passkey";
  id: string;
  name: string;
  last_used_at: number | null;
  verification: { status: string; nonce: string | null } | null;
  created_at: number;
}

export interface ExternalAccountJSON {
  object: "external_account";
  id: string;
  provider: string;
  provider_user_id: string;
  email_address: string;
  verification?: {
    status: string;
    strategy: string;
    external_verification_redirect_url?: string | null;
    error?: { code: string; message: string; long_message?: string } | null;
  } | null;
}

/** An OAuth step's verification: the provider URL while `unverified`, an error once it failed. */
export interface ExternalVerificationJSON {
  status: string;
  strategy: string;
  external_verification_redirect_url?: string | null;
  nonce?: string | null;
  error?: { code: string; message: string } | null;
}
