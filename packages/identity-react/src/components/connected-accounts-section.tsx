/**
 * `<UserProfile />`'s connected accounts: each social account with "Remove", a connection the
 * provider refused with its reason, and "Connect <name> account" for each enabled provider the
 * user has not linked yet (`user.createExternalAccount`, then off to the provider; it sends the
 * browser back to this page with the account linked).
 */
import { useId } from "react";
import type { InstanceFactors, Tandem, UserResource } from "@tandem/js";
import { elementProps, type Appearance } from "../theme.js";
import { Alert, type FormErrors } from "./fields.js";
import { useBusyAction } from "./use-busy-action.js";

const firstError = (e: FormErrors) => e.form ?? Object.values(e.fields)[0];

export function ConnectedAccountsSection(props: {
  user: UserResource;
  tandem: Tandem;
  socialProviders: InstanceFactors["socialProviders"];
  appearance: Appearance | undefined;
}) {
  const { user, tandem, socialProviders, appearance } = props;
  const ids = useId();
  const { busy, errors, run } = useBusyAction();
  const nameOf = (strategy: string) => socialProviders.find((p) => p.strategy === strategy)?.name ?? strategy;
  const connect = (strategy: (typeof socialProviders)[number]["strategy"]) =>
    void run(async () => {
      // Back to this page (`window`, not the bare global: some hosts define only `window`).
      const here = typeof window === "undefined" ? "/" : window.location.href;
      const started = await user.createExternalAccount({ strategy, redirectUrl: here });
      const to = started.verification?.externalVerificationRedirectURL;
      if (to) await tandem.navigate(to.href);
    });
  const remove = (id: string) =>
    void run(async () => {
      const account = user.externalAccounts.find((a) => a.id === id);
      await account?.destroy();
      await tandem.reload();
    });
  const linked = new Set(
    user.externalAccounts.filter((a) => a.verification?.status === "verified").map((a) => a.provider),
  );
  const error = firstError(errors);
  return (
    <section aria-labelledby={`${ids}-accounts`} {...elementProps(appearance, "userProfileSection")}>
      <h2 id={`${ids}-accounts`}>Connected accounts</h2>
      {error ? <Alert appearance={appearance}>{error}</Alert> : null}
      <ul aria-label="Connected accounts">
        {user.externalAccounts.map((a) => {
          const status = a.verification?.status ?? "verified";
          return (
            <li key={a.id}>
              {nameOf(a.provider)}
              {a.emailAddress ? ` · ${a.emailAddress}` : ""}
              {status === "failed" ? ` · Not connected: ${a.verification?.error?.message ?? "refused"}` : ""}
              {status === "unverified" ? " · Not finished" : ""}{" "}
              <button
                type="button"
                disabled={busy}
                aria-label={`Remove ${nameOf(a.provider)}${a.emailAddress ? ` ${a.emailAddress}` : ""}`}
                onClick={() => remove(a.id)}
                {...elementProps(appearance, "formButtonSecondary")}
              >
                Remove
              </button>
            </li>
          );
        })}
      </ul>
      {socialProviders
        .filter((p) => !linked.has(p.strategy))
        .map((p) => (
          <button
            key={p.strategy}
            type="button"
            disabled={busy}
            onClick={() => connect(p.strategy)}
            {...elementProps(appearance, "formButtonSecondary")}
          >
            Connect {p.name} account
          </button>
        ))}
    </section>
  );
}
