/**
 * The second step of `<SignIn />` for accounts with two-step verification: a code from the
 * authenticator app (`totp`), a text message (`phone_code`) or a backup code, with links to
 * switch between the ones the account has.
 */
import type { FormEvent, ReactNode } from "react";
import type { SecondFactor, SecondFactorStrategy } from "@tandem/js";
import type { Appearance } from "../theme.js";
import { Card } from "./card.js";
import { CodeForm, LinkButton, type FormErrors } from "./fields.js";

const copy: Record<SecondFactorStrategy, { subtitle: (f: SecondFactor | undefined) => string; switchTo: string }> = {
  totp: { subtitle: () => "Enter the code from your authenticator app.", switchTo: "Use your authenticator app" },
  phone_code: {
    subtitle: (f) => `We sent a code to ${f?.strategy === "phone_code" ? f.safeIdentifier : "your phone"}.`,
    switchTo: "Text me a code",
  },
  backup_code: { subtitle: () => "Enter one of your backup codes.", switchTo: "Use a backup code" },
};

export function SecondFactorStep(props: {
  strategy: SecondFactorStrategy;
  factors: SecondFactor[];
  code: string;
  setCode: (code: string) => void;
  onSubmit: (e: FormEvent) => void;
  onSwitch: (strategy: SecondFactorStrategy) => void;
  busy: boolean;
  errors: FormErrors;
  appearance: Appearance | undefined;
  back: ReactNode;
}) {
  const { strategy, appearance } = props;
  const current = props.factors.find((f) => f.strategy === strategy);
  return (
    <Card
      title="Two-step verification"
      subtitle={copy[strategy].subtitle(current)}
      appearance={appearance}
      footer={props.back}
    >
      <CodeForm
        name="Two-step verification"
        fieldLabel={strategy === "backup_code" ? "Backup code" : "Verification code"}
        inputMode={strategy === "backup_code" ? "text" : "numeric"}
        submitLabel="Continue"
        code={props.code}
        setCode={props.setCode}
        errors={props.errors}
        busy={props.busy}
        appearance={appearance}
        onSubmit={props.onSubmit}
      >
        <div className="tandem-footer">
          {props.factors
            .filter((f) => f.strategy !== strategy)
            .map((f) => (
              <LinkButton key={f.strategy} appearance={appearance} onClick={() => props.onSwitch(f.strategy)}>
                {copy[f.strategy].switchTo}
              </LinkButton>
            ))}
        </div>
      </CodeForm>
    </Card>
  );
}
