/** The Frontend API route table (paths relative to the issuer; clerk.md §5.2). */
import { Router } from "../http/router.js";
import type { FapiHandler } from "./outcome.js";
import { environmentJSON } from "./environment.js";
import { attemptFirstFactor, createSignIn, getSignIn, prepareFirstFactor, resetPassword } from "./sign-ins.js";
import { attemptVerification, createSignUp, getSignUp, prepareVerification, updateSignUp } from "./sign-ups.js";
import { endSession, getSession, mintSessionToken, mintTemplateToken, removeSession, signOutAll, touchSession } from "./sessions.js";
import { changeMyPassword, deleteMe, getMe, updateMe } from "./me.js";

const environment: FapiHandler = async ({ svc }) => ({
  kind: "bare",
  body: environmentJSON(svc.instance.kind, svc.appName, svc.issuer),
});
const getClient: FapiHandler = async () => ({ kind: "client" });
const createClient: FapiHandler = async ({ ctx }) => (await ctx.ensure(), { kind: "client" });
const deleteClient: FapiHandler = async (env, params) => {
  await signOutAll(env, params);
  return { kind: "client" };
};

export function fapiRouter(): Router<FapiHandler> {
  return new Router<FapiHandler>()
    .add("GET", "/v1/environment", environment)
    .add("PATCH", "/v1/environment", environment)
    .add("GET", "/v1/client", getClient)
    .add("POST", "/v1/client", createClient)
    .add("PUT", "/v1/client", createClient)
    .add("DELETE", "/v1/client", deleteClient)
    .add("POST", "/v1/client/sign_ins", createSignIn)
    .add("GET", "/v1/client/sign_ins/:id", getSignIn)
    .add("POST", "/v1/client/sign_ins/:id/prepare_first_factor", prepareFirstFactor)
    .add("POST", "/v1/client/sign_ins/:id/attempt_first_factor", attemptFirstFactor)
    .add("POST", "/v1/client/sign_ins/:id/reset_password", resetPassword)
    .add("POST", "/v1/client/sign_ups", createSignUp)
    .add("GET", "/v1/client/sign_ups/:id", getSignUp)
    .add("PATCH", "/v1/client/sign_ups/:id", updateSignUp)
    .add("POST", "/v1/client/sign_ups/:id/prepare_verification", prepareVerification)
    .add("POST", "/v1/client/sign_ups/:id/attempt_verification", attemptVerification)
    .add("DELETE", "/v1/client/sessions", signOutAll)
    .add("GET", "/v1/client/sessions/:id", getSession)
    .add("POST", "/v1/client/sessions/:id/touch", touchSession)
    .add("POST", "/v1/client/sessions/:id/end", endSession)
    .add("POST", "/v1/client/sessions/:id/remove", removeSession)
    .add("POST", "/v1/client/sessions/:id/tokens", mintSessionToken)
    .add("POST", "/v1/client/sessions/:id/tokens/:template", mintTemplateToken)
    .add("GET", "/v1/me", getMe)
    .add("PATCH", "/v1/me", updateMe)
    .add("DELETE", "/v1/me", deleteMe)
    .add("POST", "/v1/me/change_password", changeMyPassword);
}
