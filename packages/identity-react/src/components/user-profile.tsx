/**
 * `<UserProfile />`: the signed-in user's name, e-mail addresses and password, and — as the
 * instance enables them — phone numbers, two-step verification (authenticator app, backup codes), passkeys
 * (add, list, remove) and connected social accounts (connect, remove).
 */
import { useId, useState, type FormEvent } from "react";
import { useUser } from "../hooks/resources.js";
import { elementProps } from "../theme.js";
import type { UserProfileProps } from "../types.js";
import { Card, useAppearance } from "./card.js";
import { useTandemContext } from "../context.js";
import { useInstanceFactors } from "./alternatives.js";
import { TwoStepSection } from "./two-step-section.js";
import { PhoneSection } from "./phone-section.js";
import { ConnectedAccountsSection } from "./connected-accounts-section.js";
import { Alert, Field, NO_ERRORS, PrimaryButton, toFormErrors, type FormErrors } from "./fields.js";

function useAction() {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [done, setDone] = useState<string | null>(null);
  const run = async (action: () => Promise<string>) => {
    setBusy(true);
    setErrors(NO_ERRORS);
    setDone(null);
    try {
      setDone(await action());
    } catch (e) {
      setErrors(toFormErrors(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, errors, done, run };
}

export function UserProfile(props: UserProfileProps) {
  const appearance = useAppearance(props.appearance, "UserProfile");
  const { user } = useUser();
  const [firstName, setFirstName] = useState(user?.firstName ?? "");
  const [lastName, setLastName] = useState(user?.lastName ?? "");
  const [currentPassword, setCurrentPassword] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const ids = useId();
  const profile = useAction();
  const password = useAction();
  const passkeys = useAction();
  const { tandem } = useTandemContext("UserProfile");
  const factors = useInstanceFactors(tandem);
  if (!user) return null;

  // The resource is immutable: a change is seen once the client is read again.
  const passkeyAction = (action: () => Promise<void>, done: string) =>
    void passkeys.run(async () => {
      await action();
      await tandem.reload();
      return done;
    });

  const saveProfile = (e: FormEvent) => {
    e.preventDefault();
    void profile.run(async () => {
      await user.update({ firstName: firstName.trim() || null, lastName: lastName.trim() || null });
      return "Profile updated.";
    });
  };

  const savePassword = (e: FormEvent) => {
    e.preventDefault();
    void password.run(async () => {
      await user.updatePassword({ ...(user.passwordEnabled ? { currentPassword } : {}), newPassword });
      setCurrentPassword("");
      setNewPassword("");
      return "Password updated.";
    });
  };

  return (
    <Card title="Account" subtitle="Manage your account information." appearance={appearance}>
      <section aria-labelledby={`${ids}-profile`} {...elementProps(appearance, "userProfileSection")}>
        <h2 id={`${ids}-profile`}>Profile</h2>
        <form noValidate onSubmit={saveProfile} aria-label="Profile" className="tandem-form">
          {profile.errors.form ? <Alert appearance={appearance}>{profile.errors.form}</Alert> : null}
          <Field
            label="First name"
            name="first-name"
            autoComplete="given-name"
            value={firstName}
            onChange={(e) => setFirstName(e.target.value)}
            error={profile.errors.fields.first_name}
            appearance={appearance}
          />
          <Field
            label="Last name"
            name="last-name"
            autoComplete="family-name"
            value={lastName}
            onChange={(e) => setLastName(e.target.value)}
            error={profile.errors.fields.last_name}
            appearance={appearance}
          />
          <PrimaryButton busy={profile.busy} appearance={appearance}>
            Save
          </PrimaryButton>
          <p role="status">{profile.done ?? ""}</p>
        </form>
      </section>
      <section aria-labelledby={`${ids}-email`} {...elementProps(appearance, "userProfileSection")}>
        <h2 id={`${ids}-email`}>Email addresses</h2>
        <ul>
          {user.emailAddresses.map((e) => (
            <li key={e.id}>
              {e.emailAddress}
              {e.id === user.primaryEmailAddressId ? " · Primary" : ""}
              {e.verification?.status === "verified" ? " · Verified" : " · Unverified"}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby={`${ids}-password`} {...elementProps(appearance, "userProfileSection")}>
        <h2 id={`${ids}-password`}>Password</h2>
        <form noValidate onSubmit={savePassword} aria-label="Password" className="tandem-form">
          {password.errors.form ? <Alert appearance={appearance}>{password.errors.form}</Alert> : null}
          {user.passwordEnabled ? (
            <Field
              label="Current password"
              name="current-password"
              type="password"
              autoComplete="current-password"
              value={currentPassword}
              onChange={(e) => setCurrentPassword(e.target.value)}
              error={password.errors.fields.current_password}
              appearance={appearance}
            />
          ) : null}
          <Field
            label="New password"
            name="new-password"
            type="password"
            autoComplete="new-password"
            value={newPassword}
            onChange={(e) => setNewPassword(e.target.value)}
            error={password.errors.fields.new_password ?? password.errors.fields.password}
            appearance={appearance}
          />
          <PrimaryButton busy={password.busy} appearance={appearance}>
            Update password
          </PrimaryButton>
          <p role="status">{password.done ?? ""}</p>
        </form>
      </section>
      {factors?.phoneCode ? <PhoneSection user={user} appearance={appearance} reload={() => tandem.reload()} /> : null}
      {factors?.totp ? (
        <TwoStepSection
          user={user}
          appearance={appearance}
          backupCodesEnabled={factors.backupCode}
          reload={() => tandem.reload()}
        />
      ) : null}
      {factors?.passkey ? (
        <section aria-labelledby={`${ids}-passkeys`} {...elementProps(appearance, "userProfileSection")}>
          <h2 id={`${ids}-passkeys`}>Passkeys</h2>
          {passkeys.errors.form ? <Alert appearance={appearance}>{passkeys.errors.form}</Alert> : null}
          <ul aria-label="Passkeys">
            {user.passkeys.map((p) => (
              <li key={p.id}>
                {p.name}
                {p.lastUsedAt ? ` · Last used ${p.lastUsedAt.toLocaleDateString()}` : ""}{" "}
                <button
                  type="button"
                  disabled={passkeys.busy}
                  aria-label={`Remove passkey ${p.name}`}
                  onClick={() => passkeyAction(() => user.deletePasskey(p.id), "Passkey removed.")}
                  {...elementProps(appearance, "formButtonSecondary")}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
          <button
            type="button"
            disabled={passkeys.busy}
            onClick={() => passkeyAction(() => user.createPasskey(), "Passkey added.")}
            {...elementProps(appearance, "formButtonSecondary")}
          >
            Add a passkey
          </button>
          <p role="status">{passkeys.done ?? ""}</p>
        </section>
      ) : null}
      {factors?.socialProviders.length ? (
        <ConnectedAccountsSection
          user={user}
          tandem={tandem}
          socialProviders={factors.socialProviders}
          appearance={appearance}
        />
      ) : null}
    </Card>
  );
}
