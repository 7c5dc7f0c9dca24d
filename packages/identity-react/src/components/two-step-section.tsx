/**
 * `<UserProfile />`'s two-step verification section: set up an authenticator app (its
 * `otpauth://` URI — what a QR code encodes — and the secret to type, then the first code to
 * verify it), see the backup codes once, make new ones, or turn the app off.
 */
import { useId, useState, type FormEvent } from "react";
import type { UserResource } from "@tandem/js";
import { elementProps, type Appearance } from "../theme.js";
import { Alert, Field, PrimaryButton } from "./fields.js";
import { useBusyAction } from "./use-busy-action.js";

export function TwoStepSection(props: {
  user: UserResource;
  appearance: Appearance | undefined;
  backupCodesEnabled: boolean;
  reload: () => Promise<void>;
}) {
  const { user, appearance } = props;
  const ids = useId();
  const [pending, setPending] = useState<{ secret: string; uri: string } | null>(null);
  const [code, setCode] = useState("");
  const [codes, setCodes] = useState<string[] | null>(null);
  const { busy, errors, run } = useBusyAction(props.reload);
  const verify = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const { backupCodes } = await user.verifyTOTP({ code: code.trim() });
      setPending(null);
      setCode("");
      setCodes(backupCodes);
    });
  };
  const button = (label: string, onClick: () => void) => (
    <button type="button" disabled={busy} onClick={onClick} {...elementProps(appearance, "formButtonSecondary")}>
      {label}
    </button>
  );
  return (
    <section aria-labelledby={`${ids}-two-step`} {...elementProps(appearance, "userProfileSection")}>
      <h2 id={`${ids}-two-step`}>Two-step verification</h2>
      {errors.form ? <Alert appearance={appearance}>{errors.form}</Alert> : null}
      {user.totpEnabled ? (
        <>
          <p>Authenticator app · On</p>
          {props.backupCodesEnabled
            ? button("New backup codes", () => void run(async () => setCodes((await user.createBackupCode()).codes)))
            : null}
          {button("Turn off authenticator app", () => void run(() => user.disableTOTP().then(() => setCodes(null))))}
        </>
      ) : pending ? (
        <form noValidate onSubmit={verify} aria-label="Verify authenticator app" className="tandem-form">
          <p>
            Add this account to your authenticator app: scan the QR code of{" "}
            <code data-testid="otpauth-uri">{pending.uri}</code> or type the key <code>{pending.secret}</code>.
          </p>
          <Field
            label="Code from the app"
            name="totp-code"
            inputMode="numeric"
            autoComplete="one-time-code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            error={errors.fields.code}
            appearance={appearance}
          />
          <PrimaryButton busy={busy} appearance={appearance}>
            Verify
          </PrimaryButton>
        </form>
      ) : (
        button("Set up authenticator app", () => void run(async () => setPending(await user.createTOTP())))
      )}
      {codes ? (
        <div role="status" aria-label="Backup codes">
          <p>Keep these backup codes somewhere safe; each works once.</p>
          <ul>
            {codes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}
