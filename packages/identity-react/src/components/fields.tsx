/** Form building blocks shared by the prebuilt components: labelled inputs with their errors, buttons, alerts. */
import { useId, type FormEvent, type InputHTMLAttributes, type ReactNode } from "react";
import { isAuthApiError } from "@tandem/js";
import { elementProps, type Appearance } from "../theme.js";

export interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "className" | "style"> {
  label: string;
  error?: string | undefined;
  appearance?: Appearance | undefined;
}

export function Field({ label, error, appearance, ...input }: FieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div {...elementProps(appearance, "formField")}>
      <label htmlFor={id} {...elementProps(appearance, "formFieldLabel")}>
        {label}
      </label>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        {...input}
        {...elementProps(appearance, "formFieldInput")}
      />
      {error ? (
        <p id={errorId} {...elementProps(appearance, "formFieldError")}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function Alert({ children, appearance }: { children: ReactNode; appearance?: Appearance | undefined }) {
  return (
    <p role="alert" {...elementProps(appearance, "alert")}>
      {children}
    </p>
  );
}

export function PrimaryButton({
  children,
  busy,
  appearance,
}: {
  children: ReactNode;
  busy: boolean;
  appearance?: Appearance | undefined;
}) {
  return (
    <button
      type="submit"
      disabled={busy}
      aria-busy={busy || undefined}
      {...elementProps(appearance, "formButtonPrimary")}
    >
      {children}
    </button>
  );
}

export function LinkButton({
  children,
  onClick,
  appearance,
}: {
  children: ReactNode;
  onClick: () => void;
  appearance?: Appearance | undefined;
}) {
  return (
    <button type="button" onClick={onClick} {...elementProps(appearance, "footerActionLink")}>
      {children}
    </button>
  );
}

/** Field errors keyed by the server's `paramName`, plus one message for the rest. */
export interface FormErrors {
  fields: Record<string, string>;
  form?: string;
}

export function toFormErrors(e: unknown): FormErrors {
  if (isAuthApiError(e)) {
    const fields: Record<string, string> = {};
    let form: string | undefined;
    for (const item of e.errors) {
      const text = item.longMessage || item.message;
      if (item.meta.paramName && !(item.meta.paramName in fields)) fields[item.meta.paramName] = text;
      else form ??= text;
    }
    if (!form && Object.keys(fields).length === 0) form = e.message;
    return form === undefined ? { fields } : { fields, form };
  }
  return { fields: {}, form: "Something went wrong. Check your connection and try again." };
}

export const NO_ERRORS: FormErrors = { fields: {} };

/** The one-code form of a sign-in code, a sign-up verification and a second factor. */
export function CodeForm(props: {
  /** The form's accessible name. */
  name: string;
  fieldLabel?: string;
  inputMode?: "numeric" | "text";
  submitLabel: string;
  code: string;
  setCode: (code: string) => void;
  errors: FormErrors;
  busy: boolean;
  appearance: Appearance | undefined;
  onSubmit: (e: FormEvent) => void;
  children?: ReactNode;
}) {
  const { appearance, errors } = props;
  return (
    <form noValidate onSubmit={props.onSubmit} aria-label={props.name} className="tandem-form">
      {errors.form ? <Alert appearance={appearance}>{errors.form}</Alert> : null}
      <Field
        label={props.fieldLabel ?? "Verification code"}
        name="code"
        inputMode={props.inputMode ?? "numeric"}
        autoComplete="one-time-code"
        required
        value={props.code}
        onChange={(e) => props.setCode(e.target.value)}
        error={errors.fields.code}
        appearance={appearance}
      />
      <PrimaryButton busy={props.busy} appearance={appearance}>
        {props.submitLabel}
      </PrimaryButton>
      {props.children}
    </form>
  );
}
