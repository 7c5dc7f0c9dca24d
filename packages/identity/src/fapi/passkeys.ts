/**
 * Passkeys (WebAuthn, via `@simplewebauthn/server`) as clerk-js drives them:
 * - `user.createPasskey()`: `POST /v1/me/passkeys` answers a passkey whose
 *   `verification.nonce` is the JSON creation options; the browser's credential goes to
 *   `POST /v1/me/passkeys/:id/attempt_verification {strategy:"passkey", public_key_credential}`.
 * - `signIn.authenticateWithPasskey()`: `POST /v1/client/sign_ins {strategy:"passkey"}` answers
 *   `first_factor_verification.nonce` (request options); `attempt_first_factor` with the
 *   assertion signs in the passkey's owner. A challenge is used once; the signature counter
 *   must move forward, so a replayed assertion fails.
 * The relying party is the calling page's origin (its host name is the RP id).
 */
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import { ApiError } from "../errors.js";
import { newId } from "../ids.js";
import { CODE_TTL_MS } from "../config.js";
import type { ActiveSession } from "../domain/service.js";
import type { PasskeyRecord, SignInRecord } from "../store/types.js";
import { primaryEmail } from "../tokens/user-claims.js";
import type { FapiEnv, FapiOutcome } from "./outcome.js";
import { finishSignIn } from "./sign-in-finish.js";
import { passkeyJSON } from "./passkey-json.js";
import type { Endpoint } from "./steps/pipeline.js";

/** The calling page's origin (checked against `passkeys.origins` when configured) and the RP id. */
function relyingParty(env: FapiEnv): { rpId: string; origin: string } {
  const origin = env.req.origin ?? new URL(env.svc.issuer).origin;
  const { rpId, origins } = env.svc.passkeys;
  if (origins && !origins.includes(origin)) throw new ApiError("origin_invalid");
  return { rpId: rpId ?? new URL(origin).hostname, origin };
}

function credentialOf(env: FapiEnv): any {
  try {
    const c = JSON.parse(env.req.fields.required("public_key_credential", 16_384));
    if (!c || typeof c !== "object" || typeof c.id !== "string" || typeof c.response !== "object")
      throw new Error("shape");
    return c;
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError("form_param_format_invalid", { param: "public_key_credential" });
  }
}

export const createMyPasskey: Endpoint<ActiveSession> = async (env, { user }) => {
  const { rpId, origin } = relyingParty(env);
  const options = await generateRegistrationOptions({
    rpName: env.svc.appName,
    rpID: rpId,
    userName: primaryEmail(user)?.email ?? user.username ?? user.id,
    userID: new TextEncoder().encode(user.id),
    attestationType: "none",
    excludeCredentials: (user.passkeys ?? []).map((p) => ({ id: p.credentialId! })),
    authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
  });
  const now = env.svc.now();
  const row: PasskeyRecord = {
    id: `pkey_${newId.user().slice(5)}`,
    instanceId: env.svc.instanceId,
    userId: user.id,
    name: env.req.fields.str("name", 100) ?? "Passkey",
    credentialId: null,
    publicKey: null,
    counter: 0,
    transports: [],
    pending: { challenge: options.challenge, rpId, origin, expireAt: now + CODE_TTL_MS },
    createdAt: now,
    lastUsedAt: null,
  };
  await env.svc.store.savePasskey(row);
  return { kind: "resource", body: passkeyJSON(row, JSON.stringify(options)) };
};

async function ownPasskey(env: FapiEnv, a: ActiveSession, id: string | undefined): Promise<PasskeyRecord> {
  const p = id ? await env.svc.store.getPasskey(env.svc.instanceId, id) : null;
  if (!p || p.userId !== a.user.id) throw new ApiError("resource_not_found", { param: "passkey_id" });
  return p;
}

export const verifyMyPasskey: Endpoint<ActiveSession> = async (env, a, params) => {
  const p = await ownPasskey(env, a, params.passkey_id);
  if (!p.pending) throw new ApiError("verification_already_verified");
  if (p.pending.expireAt <= env.svc.now()) throw new ApiError("verification_expired");
  const response = credentialOf(env);
  let info;
  try {
    const v = await verifyRegistrationResponse({
      response,
      expectedChallenge: p.pending.challenge,
      expectedOrigin: p.pending.origin,
      expectedRPID: p.pending.rpId,
      requireUserVerification: false,
    });
    info = v.verified ? v.registrationInfo : undefined;
  } catch {
    info = undefined;
  }
  if (!info) throw new ApiError("verification_failed", { param: "public_key_credential" });
  if (await env.svc.store.findPasskeyByCredential(env.svc.instanceId, info.credential.id))
    throw new ApiError("form_identifier_exists", { param: "public_key_credential" });
  const next: PasskeyRecord = {
    ...p,
    credentialId: info.credential.id,
    publicKey: Buffer.from(info.credential.publicKey).toString("base64url"),
    counter: info.credential.counter,
    transports: info.credential.transports ?? [],
    pending: null,
  };
  await env.svc.store.savePasskey(next);
  env.svc.logger.info("passkey registered", { user_id: a.user.id });
  return { kind: "resource", body: passkeyJSON(next) };
};

export const updateMyPasskey: Endpoint<ActiveSession> = async (env, a, params) => {
  const p = await ownPasskey(env, a, params.passkey_id);
  const next = { ...p, name: env.req.fields.required("name", 100) };
  await env.svc.store.savePasskey(next);
  return { kind: "resource", body: passkeyJSON(next) };
};

export const deleteMyPasskey: Endpoint<ActiveSession> = async (env, a, params) => {
  const p = await ownPasskey(env, a, params.passkey_id);
  await env.svc.store.deletePasskey(env.svc.instanceId, p.id);
  return { kind: "resource", body: { object: "passkey", id: p.id, deleted: true } };
};

/** `POST /v1/client/sign_ins {strategy:"passkey"}` (and `prepare_first_factor` with it): a fresh challenge. */
export async function startPasskeySignIn(env: FapiEnv, si: SignInRecord | null): Promise<FapiOutcome> {
  const { rpId, origin } = relyingParty(env);
  const options = await generateAuthenticationOptions({
    rpID: rpId,
    userVerification: "preferred",
    allowCredentials: [],
  });
  const client = await env.ctx.ensure();
  const now = env.svc.now();
  const record: SignInRecord = {
    ...(si ?? {
      id: newId.signIn(),
      instanceId: env.svc.instanceId,
      clientId: client.id,
      status: "needs_first_factor" as const,
      identifier: null,
      userId: null,
      code: null,
      createdSessionId: null,
      createdAt: now,
    }),
    status: "needs_first_factor",
    verification: { strategy: "passkey", status: "unverified", attempts: 0, expireAt: now + CODE_TTL_MS },
    passkey: { challenge: options.challenge, rpId, origin, options: JSON.stringify(options) },
    updatedAt: now,
  };
  await env.svc.store.saveSignIn(record);
  if (!si) await env.ctx.save({ ...client, signInId: record.id });
  return { kind: "sign_in", record };
}

export async function attemptPasskeySignIn(env: FapiEnv, si: SignInRecord): Promise<FapiOutcome> {
  const pending = si.passkey;
  if (!pending || !si.verification || si.verification.expireAt === null || si.verification.expireAt <= env.svc.now())
    throw new ApiError(pending ? "verification_expired" : "verification_missing", { param: "public_key_credential" });
  const response = credentialOf(env);
  // The challenge is spent whatever happens next: an assertion is never checked twice against it.
  await env.svc.store.saveSignIn({
    ...si,
    passkey: null,
    verification: { ...si.verification, status: "failed", attempts: si.verification.attempts + 1 },
    updatedAt: env.svc.now(),
  });
  const p = await env.svc.store.findPasskeyByCredential(env.svc.instanceId, String(response.id));
  const user = p ? await env.svc.store.getUser(env.svc.instanceId, p.userId) : null;
  if (!p || !user || !p.publicKey) throw new ApiError("verification_failed", { param: "public_key_credential" });
  await env.svc.assertCanSignIn(user);
  let counter: number | null = null;
  try {
    const v = await verifyAuthenticationResponse({
      response,
      expectedChallenge: pending.challenge,
      expectedOrigin: pending.origin,
      expectedRPID: pending.rpId,
      requireUserVerification: false,
      credential: {
        id: p.credentialId!,
        publicKey: Buffer.from(p.publicKey, "base64url"),
        counter: p.counter,
        transports: p.transports as never,
      },
    });
    if (v.verified) counter = v.authenticationInfo.newCounter;
  } catch {
    counter = null;
  }
  if (
    counter === null ||
    !(await env.svc.store.advancePasskeyCounter(env.svc.instanceId, p.id, counter, env.svc.now()))
  ) {
    await env.svc.recordFailure(user);
    throw new ApiError("verification_failed", { param: "public_key_credential" });
  }
  await env.svc.recordSuccess(user);
  return finishSignIn(
    env,
    { ...si, userId: user.id, identifier: primaryEmail(user)?.email ?? null, passkey: null },
    user,
    "passkey",
  );
}
