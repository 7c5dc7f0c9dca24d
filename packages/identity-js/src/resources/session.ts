/** A session of the current client (Clerk's `SessionResource`), with `getToken`. */
import { tokenResource, type TokenResource } from "../jwt.js";
import type { GetTokenOptions } from "../tokens.js";
import type { ResourceCore } from "./core.js";
import type { PublicUserDataJSON, SessionJSON } from "./json.js";
import { UserResource } from "./user.js";

export type SessionStatus = "active" | "pending" | "ended" | "expired" | "removed" | "abandoned" | "revoked";

export interface PublicUserData {
  firstName: string | null;
  lastName: string | null;
  imageUrl: string;
  hasImage: boolean;
  identifier: string;
  userId: string;
}

function publicUserData(json: PublicUserDataJSON | null | undefined, user: UserResource): PublicUserData {
  return {
    firstName: json?.first_name ?? user.firstName,
    lastName: json?.last_name ?? user.lastName,
    imageUrl: json?.image_url ?? user.imageUrl,
    hasImage: json?.has_image ?? user.hasImage,
    identifier: json?.identifier ?? user.primaryEmailAddress?.emailAddress ?? user.username ?? "",
    userId: json?.user_id ?? user.id,
  };
}

export class SessionResource {
  readonly id: string;
  readonly status: SessionStatus;
  readonly expireAt: Date;
  readonly abandonAt: Date;
  readonly lastActiveAt: Date;
  readonly lastActiveOrganizationId: string | null;
  readonly lastActiveToken: TokenResource | null;
  readonly factorVerificationAge: [number, number] | null;
  readonly actor: Record<string, unknown> | null;
  readonly user: UserResource;
  readonly publicUserData: PublicUserData;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly #core: ResourceCore;

  constructor(core: ResourceCore, json: SessionJSON) {
    this.#core = core;
    this.id = json.id;
    this.status = json.status as SessionStatus;
    this.expireAt = new Date(json.expire_at);
    this.abandonAt = new Date(json.abandon_at);
    this.lastActiveAt = new Date(json.last_active_at);
    this.lastActiveOrganizationId = json.last_active_organization_id ?? null;
    this.lastActiveToken = json.last_active_token ? tokenResource(json.last_active_token.jwt) : null;
    this.factorVerificationAge = json.factor_verification_age ?? null;
    this.actor = json.actor ?? null;
    this.user = new UserResource(core, json.id, json.user);
    this.publicUserData = publicUserData(json.public_user_data, this.user);
    this.createdAt = new Date(json.created_at);
    this.updatedAt = new Date(json.updated_at);
  }

  /**
   * A JWT for this session: the session token, or the named template's (`"convex"`). Served from
   * the cache while it has more than the leeway (15 s) left; `skipCache` always mints a new one.
   * `null` when the session is no longer active.
   */
  getToken(options: GetTokenOptions = {}): Promise<string | null> {
    return this.#core.getSessionToken(this.id, options);
  }

  /** Makes this the client's active session (`POST …/touch`). */
  async touch(): Promise<SessionResource> {
    await this.#core.setActive({ session: this.id });
    return this;
  }

  async end(): Promise<void> {
    await this.#core.call("POST", `/v1/client/sessions/${encodeURIComponent(this.id)}/end`);
  }

  async remove(): Promise<void> {
    await this.#core.call("POST", `/v1/client/sessions/${encodeURIComponent(this.id)}/remove`);
  }
}
