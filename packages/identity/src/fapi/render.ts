/**
 * Turns a handler's outcome into Clerk's wire shape: `{response, client}` with the full client
 * piggy-backed on every non-GET answer; `GET /v1/client` carries the client in `response`; token
 * mints are bare `{object:"token", jwt}`. In header mode the client is never null (it is created
 * on first use): the Android SDK decodes `response` as a non-null client.
 */
import type { IdentityService } from "../domain/service.js";
import type { MintContext } from "../tokens/minter.js";
import type { SessionRecord } from "../store/types.js";
import type { ClientContext } from "./client-context.js";
import { clientJSON, sessionJSON, signInJSON, signUpJSON, userJSON } from "./json.js";
import type { FapiEnv, FapiOutcome } from "./outcome.js";
import { withMemberships } from "./memberships.js";

async function renderSession(svc: IdentityService, s: SessionRecord, mint: MintContext) {
  const active = s.status === "active" ? await svc.activeSession(s.id) : null;
  const user = active?.user ?? (await svc.store.getUser(svc.instanceId, s.userId));
  const jwt = active ? await svc.mintSessionToken(active, mint) : null;
  const json = sessionJSON(active?.session ?? s, user, jwt, svc.now());
  return user && json.user ? { ...json, user: await withMemberships(svc, json.user, user) } : json;
}

export async function renderClient(svc: IdentityService, ctx: ClientContext, origin: string | undefined) {
  const c = ctx.client;
  if (!c) return null;
  const mint: MintContext = { origin, native: ctx.native };
  const sessions = [];
  for (const s of await svc.store.listSessions(svc.instanceId, { clientId: c.id, status: "active" })) {
    const active = await svc.activeSession(s.id);
    if (!active) continue;
    const json = sessionJSON(active.session, active.user, await svc.mintSessionToken(active, mint), svc.now());
    sessions.push(json.user ? { ...json, user: await withMemberships(svc, json.user, active.user) } : json);
  }
  const si = c.signInId ? await svc.store.getSignIn(svc.instanceId, c.signInId) : null;
  const siUser = si?.userId ? await svc.store.getUser(svc.instanceId, si.userId) : null;
  const su = c.signUpId ? await svc.store.getSignUp(svc.instanceId, c.signUpId) : null;
  return clientJSON(c, sessions, signInJSON(si, siUser), signUpJSON(su));
}

export async function renderOutcome(env: FapiEnv, out: FapiOutcome): Promise<unknown> {
  const { svc, ctx, req } = env;
  const isGet = req.method === "GET";
  const piggyBack = async () => (isGet ? null : await renderClient(svc, ctx, req.origin));
  // clerk-js reloads a sign-in or sign-up with `forceUpdateClient` (its magic-link poll): the
  // client rides along on GETs too, so a flow completed elsewhere brings its new session.
  const flowClient = () => renderClient(svc, ctx, req.origin);
  switch (out.kind) {
    case "token":
      return { object: "token", jwt: out.jwt };
    case "bare":
      return out.body;
    case "resource":
      return { response: out.body, client: await piggyBack() };
    case "redirect":
      return null; // answered as a 303 by http/app.ts before rendering
    case "client": {
      if (ctx.mode === "header") await ctx.ensure();
      const client = await renderClient(svc, ctx, req.origin);
      return { response: client, client: isGet ? null : client };
    }
    case "sign_in": {
      const user = out.record.userId ? await svc.store.getUser(svc.instanceId, out.record.userId) : null;
      return { response: signInJSON(out.record, user), client: await flowClient() };
    }
    case "sign_up":
      return { response: signUpJSON(out.record), client: await flowClient() };
    case "session":
      return {
        response: await renderSession(svc, out.record, { origin: req.origin, native: ctx.native }),
        client: await piggyBack(),
      };
    case "user":
      return { response: await withMemberships(svc, userJSON(out.record), out.record), client: await piggyBack() };
    default:
      return out satisfies never;
  }
}
