/** What a Frontend API handler produced; `render.ts` turns it into Clerk's JSON envelope. */
import type { IdentityService } from "../domain/service.js";
import type { Req } from "../http/context.js";
import type { SessionRecord, SignInRecord, SignUpRecord, UserRecord } from "../store/types.js";
import type { ClientContext } from "./client-context.js";

export type FapiOutcome =
  | { kind: "sign_in"; record: SignInRecord }
  | { kind: "sign_up"; record: SignUpRecord }
  | { kind: "session"; record: SessionRecord }
  | { kind: "user"; record: UserRecord }
  | { kind: "client" }
  /** Token mints answer a bare `{object:"token", jwt}` (docs/identity-api.md#frontend-api). */
  | { kind: "token"; jwt: string }
  | { kind: "bare"; body: unknown }
  /** Any other resource (TOTP, backup codes) as `response`, with the client piggy-backed. */
  | { kind: "resource"; body: unknown }
  /** A browser redirect (`/v1/verify` after a magic link, OAuth callbacks). */
  | { kind: "redirect"; location: string };

export interface FapiEnv {
  svc: IdentityService;
  ctx: ClientContext;
  req: Req;
}

export type FapiHandler = (env: FapiEnv, params: Record<string, string>) => Promise<FapiOutcome>;
