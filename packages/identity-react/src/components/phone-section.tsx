/**
 * `<UserProfile />`'s phone numbers: the list (verified or not, remove), and adding one — the
 * number (E.164; the server refuses anything else), then the code texted to it.
 */
import { useId, useState, type FormEvent } from "react";
import type { UserResource } from "@tandem/js";
import { elementProps, type Appearance } from "../theme.js";
import { Alert, Field, PrimaryButton } from "./fields.js";
import { useBusyAction } from "./use-busy-action.js";

export function PhoneSection(props: {
  user: UserResource;
  appearance: Appearance | undefined;
  reload: () => Promise<void>;
}) {
  const { user, appearance } = props;
  const ids = useId();
  const [number, setNumber] = useState("");
  const [code, setCode] = useState("");
  const [pendingId, setPendingId] = useState<string | null>(null);
  const { busy, errors, run } = useBusyAction(props.reload);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      if (!pendingId) {
        setPendingId((await user.createPhoneNumber({ phoneNumber: number.trim() })).id);
        return;
      }
      await user.verifyPhoneNumber({ id: pendingId, code: code.trim() });
      setPendingId(null);
      setNumber("");
      setCode("");
    });
  };
  return (
    <section aria-labelledby={`${ids}-phones`} {...elementProps(appearance, "userProfileSection")}>
      <h2 id={`${ids}-phones`}>Phone numbers</h2>
      <ul aria-label="Phone numbers">
        {user.phoneNumbers.map((p) => (
          <li key={p.id}>
            {p.phoneNumber}
            {p.verified ? " · Verified" : " · Unverified"}{" "}
            <button
              type="button"
              disabled={busy}
              aria-label={`Remove ${p.phoneNumber}`}
              onClick={() => void run(() => user.deletePhoneNumber(p.id))}
              {...elementProps(appearance, "formButtonSecondary")}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form noValidate onSubmit={submit} aria-label="Add a phone number" className="tandem-form">
        {errors.form ? <Alert appearance={appearance}>{errors.form}</Alert> : null}
        {pendingId ? (
          <Field
            label="Code sent to your phone"
            name="phone-code"
            inputMode="numeric"
            autoComplete="one-time-code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            error={errors.fields.code}
            appearance={appearance}
          />
        ) : (
          <Field
            label="Phone number"
            name="phone"
            type="tel"
            autoComplete="tel"
            placeholder="+15555550100"
            value={number}
            onChange={(e) => setNumber(e.target.value)}
            error={errors.fields.phone_number}
            appearance={appearance}
          />
        )}
        <PrimaryButton busy={busy} appearance={appearance}>
          {pendingId ? "Verify phone number" : "Add phone number"}
        </PrimaryButton>
      </form>
    </section>
  );
}
