/**
 * The backend side of `tandem doctor auth`: rejected user tokens are diagnosed as they happen
 * (reasons kept, tokens never), and two admin-only queries read them:
 * `_system/tandem/authRejections` → `{now, pushed, providers, rejections: [{at, reason, subject, message,
 * cause, fix}], hint}` and `_system/tandem/diagnoseToken` `{token}` → `{ok: true, subject} | {ok: false,
 * reason, cause, fix, message}`.
 */
import { badRequest } from "../errors.js";
import type { ConvexJSON } from "@tandem/storage";
import { describeProvider, type AuthProvider } from "../auth/config.js";
import { RejectionLog, recordRejections } from "../auth/rejection-log.js";
import { diagnoseRejection } from "../auth/rejection-reason.js";
import { explainRejection, NO_REJECTIONS_HINT } from "../auth/rejection-explain.js";
import type { Deployment } from "../engine/deployment.js";
import type { SystemFunctionRegistry } from "../engine/types.js";
import { providersOf } from "../deploy/push-service.js";
import { argsObject, stringArg } from "./args.js";

export interface AuthDoctorDeps<T> {
  readonly live: () => Deployment | null;
  readonly env: () => Readonly<Record<string, string>>;
  readonly authenticate: (token: string) => Promise<T>;
  readonly now?: () => number;
  readonly capacity?: number;
}

const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as ConvexJSON;

/** Registers the doctor's queries and returns `authenticate` with rejections recorded. */
export function installAuthDoctor<T extends { readonly attributes: { readonly subject: string } }>(
  registry: SystemFunctionRegistry,
  deps: AuthDoctorDeps<T>,
): (token: string) => Promise<T> {
  const log = new RejectionLog(deps.capacity);
  const now = deps.now ?? Date.now;
  const providers = (): readonly AuthProvider[] => {
    const live = deps.live();
    return live ? providersOf(live.analysis) : [];
  };
  const authenticate = recordRejections(deps.authenticate, { log, providers, env: deps.env, now });

  registry.registerSystemFunction("_system/tandem/authRejections", {
    kind: "query",
    handler: async () => {
      let configured: ConvexJSON[] = [];
      try {
        configured = providers().map((p) => ({
          kind: p.kind,
          issuer: p.kind === "oidc" ? p.domain : p.issuer,
          applicationID: p.applicationID,
          describe: describeProvider(p),
        }));
      } catch (e) {
        configured = [{ error: e instanceof Error ? e.message : String(e) }];
      }
      // Each reason with its cause and fix, the texts `tandem doctor auth` prints too.
      const rejections = log.list().map((r) => ({ ...r, ...explainRejection(r.reason) }));
      return json({
        now: now(),
        pushed: deps.live() !== null,
        providers: configured,
        rejections,
        hint: NO_REJECTIONS_HINT,
      });
    },
  });

  registry.registerSystemFunction("_system/tandem/diagnoseToken", {
    kind: "query",
    handler: async (raw) => {
      const token = stringArg(argsObject(raw), "token");
      if (token.length > 16 * 1024) throw badRequest("InvalidArgs", "`token` is too large to be a session token.");
      try {
        const user = await deps.authenticate(token);
        return { ok: true, subject: user.attributes.subject };
      } catch (e) {
        let list: readonly AuthProvider[] = [];
        try {
          list = providers();
        } catch {
          // diagnosed as no providers
        }
        const reason = diagnoseRejection(token, e, { providers: list, env: deps.env(), nowSeconds: now() / 1000 });
        return json({
          ok: false,
          reason,
          ...explainRejection(reason),
          message: e instanceof Error ? e.message : String(e),
        });
      }
    },
  });
  return authenticate;
}
